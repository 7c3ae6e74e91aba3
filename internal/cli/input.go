package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// openInput opens a file a command reads, with errors that name the file once and say plainly what is
// wrong ("trace.txt: no such file", "sessions: is a directory"); every such error is bad input.
func openInput(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, badInput(fmt.Errorf("%s: %w", name, err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, badInput(fmt.Errorf("%s: %w", name, err))
	}
	if st.IsDir() {
		f.Close()
		return nil, badInput(fmt.Errorf("%s: is a directory, not a file", name))
	}
	return f, nil
}

// warn prints each warning of an input on standard error, in every output mode, so nothing skipped
// goes unsaid.
func (g *globalOptions) warn(ws []string) {
	for _, w := range ws {
		fmt.Fprintf(g.streams.Err, "hopscope: warning: %s\n", w)
	}
}
