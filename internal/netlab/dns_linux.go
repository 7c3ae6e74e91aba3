//go:build linux

package netlab

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// startDNS writes unbound's configuration and zones into a temporary
// directory and starts unbound inside the DNS node; waitDNS waits for it.
func (l *Lab) startDNS() error {
	d := l.plan.dns
	dir, err := os.MkdirTemp("", "netlab-dns-")
	if err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	l.dir = dir
	for _, z := range d.zoneNames() {
		if err := os.WriteFile(filepath.Join(dir, zoneFileName(z)), []byte(d.zoneFile(z)), 0o644); err != nil {
			return fmt.Errorf("dns: %w", err)
		}
	}
	conf := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(conf, []byte(d.unboundConf(dir)), 0o644); err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	if _, err := exec.LookPath("unbound"); err != nil {
		return fmt.Errorf("dns: unbound is not installed (apt-get install unbound): %w", err)
	}
	logf, err := os.Create(filepath.Join(dir, "unbound.log"))
	if err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command("ip", "netns", "exec", d.node.ns, "unbound", "-d", "-c", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	// ip netns exec execs unbound in place, so the signal reaches unbound if we die.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dns: start unbound: %w", err)
	}
	l.dnsCmd = cmd
	l.dnsErr = make(chan error, 1)
	go func() { l.dnsErr <- cmd.Wait() }()
	return nil
}

// waitDNS waits until unbound answers on the lab's first resolver address.
func (l *Lab) waitDNS(ctx context.Context) error {
	d, dir := l.plan.dns, l.dir
	server := l.Resolvers()[0]
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := l.Run(d.node.spec.Name, func() error { return probeDNS(server.String()) })
		if err == nil {
			return nil
		}
		select {
		case werr := <-l.dnsErr:
			l.dnsErr <- werr
			log, _ := os.ReadFile(filepath.Join(dir, "unbound.log"))
			return fmt.Errorf("dns: unbound exited: %v: %s", werr, log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "unbound.log"))
			return fmt.Errorf("dns: unbound did not answer on %s within 10s: %v: %s", server, err, log)
		}
	}
}

// probeDNS asks server for the SOA of the root; unbound refuses it when ready.
func probeDNS(server string) error {
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(".", dns.TypeSOA)
	conn, err := net.DialTimeout("udp", server, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, _, err = c.ExchangeWithConn(m, &dns.Conn{Conn: conn})
	return err
}
