//go:build linux

package cli

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCaptureLive runs `hopscope capture -i lo` while a loopback connection sends an SSH banner.
func TestCaptureLive(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to capture on the loopback interface")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("SSH-2.0-hopscope_cli_test\r\n"))
			c.Close()
		}
	}()
	go func() {
		for i := 0; i < 20; i++ {
			time.Sleep(100 * time.Millisecond)
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				buf := make([]byte, 64)
				c.SetReadDeadline(time.Now().Add(time.Second))
				c.Read(buf)
				c.Close()
			}
		}
	}()
	code, out, errs := run(t, "", "capture", "-i", "lo", "--filter", fmt.Sprintf("tcp port %d", port), "--duration", "1500ms", "--flows", "--no-enrich")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, fmt.Sprintf("127.0.0.1:%d", port)) || !strings.Contains(out, "ssh") {
		t.Errorf("no SSH flow to port %d in:\n%s", port, out)
	}
}
