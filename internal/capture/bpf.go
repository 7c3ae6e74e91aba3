package capture

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// CompileBPF compiles the filter into a classic BPF program over Ethernet frames, for the kernel to drop
// unwanted packets before they are copied to user space (live capture). Matching packets are kept whole
// (up to snaplen bytes). The user-space filter still runs afterwards, so the program may keep more than
// the filter matches (IPv6 extension headers, VLAN tags) but never less. A nil filter keeps everything.
func (f *Filter) CompileBPF(snaplen uint32) ([]bpf.RawInstruction, error) {
	c := &bpfCompiler{}
	if f == nil {
		c.emit(bpf.RetConstant{Val: snaplen})
		return bpf.Assemble(c.prog)
	}
	accept, reject := c.newLabel(), c.newLabel()
	c.accept = accept
	// Frames the program cannot see into (VLAN tags still in place, PPPoE) go to the user-space filter.
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	for _, et := range []uint32{0x8100, 0x88a8, 0x9100, 0x8864} {
		c.jump(bpf.JumpEqual, et, accept, -1)
	}
	if err := c.gen(f.root, accept, reject); err != nil {
		return nil, err
	}
	c.place(accept)
	c.emit(bpf.RetConstant{Val: snaplen})
	c.place(reject)
	c.emit(bpf.RetConstant{Val: 0})
	if err := c.resolve(); err != nil {
		return nil, err
	}
	return bpf.Assemble(c.prog)
}

// Ethernet frame offsets.
const (
	ethType  = 12
	ip4Base  = 14
	ip6Base  = 14
	ip6NextH = ip6Base + 6
	ip4Proto = ip4Base + 9
)

// bpfCompiler emits instructions whose jump targets are labels, resolved at the end.
type bpfCompiler struct {
	// accept is the label that keeps the packet for the user-space filter.
	accept int
	prog   []bpf.Instruction
	jumps  []pendingJump
	labels []int // label → instruction index (-1 until placed)
}

type pendingJump struct {
	at              int
	skipTrue, skipF int // labels; -1 means "next instruction"
}

func (c *bpfCompiler) newLabel() int {
	c.labels = append(c.labels, -1)
	return len(c.labels) - 1
}

func (c *bpfCompiler) place(l int) { c.labels[l] = len(c.prog) }

func (c *bpfCompiler) emit(i bpf.Instruction) { c.prog = append(c.prog, i) }

// jump emits a conditional jump to t when cond holds, else to f (labels; -1 = fall through).
func (c *bpfCompiler) jump(cond bpf.JumpTest, val uint32, t, f int) {
	c.jumps = append(c.jumps, pendingJump{at: len(c.prog), skipTrue: t, skipF: f})
	c.emit(bpf.JumpIf{Cond: cond, Val: val})
}

func (c *bpfCompiler) goTo(l int) {
	c.jumps = append(c.jumps, pendingJump{at: len(c.prog), skipTrue: l, skipF: -2})
	c.emit(bpf.Jump{})
}

func (c *bpfCompiler) resolve() error {
	rel := func(at, label int) (uint32, error) {
		if label == -1 {
			return 0, nil
		}
		d := c.labels[label] - at - 1
		if d < 0 {
			return 0, errors.New("backward jump")
		}
		return uint32(d), nil
	}
	for _, j := range c.jumps {
		t, err := rel(j.at, j.skipTrue)
		if err != nil {
			return err
		}
		if j.skipF == -2 {
			c.prog[j.at] = bpf.Jump{Skip: t}
			continue
		}
		f, err := rel(j.at, j.skipF)
		if err != nil {
			return err
		}
		if t > 255 || f > 255 {
			return errors.New("filter too long for classic BPF jumps")
		}
		ji := c.prog[j.at].(bpf.JumpIf)
		ji.SkipTrue, ji.SkipFalse = uint8(t), uint8(f)
		c.prog[j.at] = ji
	}
	return nil
}

// gen emits code that jumps to t when n matches and to f otherwise.
func (c *bpfCompiler) gen(n node, t, f int) error {
	switch n := n.(type) {
	case andNode:
		mid := c.newLabel()
		if err := c.gen(n.l, mid, f); err != nil {
			return err
		}
		c.place(mid)
		return c.gen(n.r, t, f)
	case orNode:
		mid := c.newLabel()
		if err := c.gen(n.l, t, mid); err != nil {
			return err
		}
		c.place(mid)
		return c.gen(n.r, t, f)
	case notNode:
		return c.gen(n.n, f, t)
	case protoNode:
		return c.genProto(n, t, f)
	case netNode:
		return c.genNet(n, t, f)
	case portNode:
		return c.genPort(n, t, f)
	}
	return fmt.Errorf("filter element %T cannot be compiled to BPF", n)
}

// genProto: ip / ip6 / tcp / udp. For IPv6 the next-header field of the fixed header is checked (as
// libpcap does); the user-space filter sees past extension headers.
func (c *bpfCompiler) genProto(n protoNode, t, f int) error {
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	if n.proto == 0 {
		et := uint32(0x0800)
		if n.v6 == 1 {
			et = 0x86dd
		}
		c.jump(bpf.JumpEqual, et, t, f)
		return nil
	}
	v6 := c.newLabel()
	if n.v6 != 1 {
		c.jump(bpf.JumpEqual, 0x0800, -1, v6)
		c.emit(bpf.LoadAbsolute{Off: ip4Proto, Size: 1})
		c.jump(bpf.JumpEqual, uint32(n.proto), t, f)
	} else {
		c.goTo(v6)
	}
	c.place(v6)
	if n.v6 == 0 {
		c.goTo(f)
		return nil
	}
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	c.jump(bpf.JumpEqual, 0x86dd, -1, f)
	c.emit(bpf.LoadAbsolute{Off: ip6NextH, Size: 1})
	c.jump(bpf.JumpEqual, uint32(n.proto), t, -1)
	c.keepIPv6Ext(f)
	return nil
}

// keepIPv6Ext jumps to the program's accept label when the next-header value in A is an IPv6 extension
// header (the transport header is further on: the user-space filter decides), else to f. Accepting, not
// "true", keeps it right under "not" too.
func (c *bpfCompiler) keepIPv6Ext(f int) {
	for i, h := range []uint32{0, 43, 44, 51, 60} {
		next := -1
		if i == 4 {
			next = f
		}
		c.jump(bpf.JumpEqual, h, c.accept, next)
	}
}

func (c *bpfCompiler) genNet(n netNode, t, f int) error {
	p := n.prefix
	offs := []uint32{}
	if p.Addr().Is4() {
		if n.dir != dirDst {
			offs = append(offs, ip4Base+12)
		}
		if n.dir != dirSrc {
			offs = append(offs, ip4Base+16)
		}
		c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
		c.jump(bpf.JumpEqual, 0x0800, -1, f)
		a := p.Addr().As4()
		want := binary.BigEndian.Uint32(a[:])
		mask := uint32(0)
		if p.Bits() > 0 {
			mask = ^uint32(0) << (32 - p.Bits())
		}
		for i, off := range offs {
			next := f
			if i < len(offs)-1 {
				next = c.newLabel()
			}
			c.emit(bpf.LoadAbsolute{Off: off, Size: 4})
			c.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
			c.jump(bpf.JumpEqual, want&mask, t, next)
			if i < len(offs)-1 {
				c.place(next)
			}
		}
		return nil
	}
	if n.dir != dirDst {
		offs = append(offs, ip6Base+8)
	}
	if n.dir != dirSrc {
		offs = append(offs, ip6Base+24)
	}
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	c.jump(bpf.JumpEqual, 0x86dd, -1, f)
	a := p.Addr().As16()
	for i, off := range offs {
		next := f
		if i < len(offs)-1 {
			next = c.newLabel()
		}
		// Compare the prefix 32 bits at a time.
		for w := 0; w < 4; w++ {
			bits := min(max(p.Bits()-32*w, 0), 32)
			if bits == 0 {
				break
			}
			mask := ^uint32(0) << (32 - bits)
			c.emit(bpf.LoadAbsolute{Off: off + uint32(4*w), Size: 4})
			c.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
			c.jump(bpf.JumpEqual, binary.BigEndian.Uint32(a[4*w:])&mask, -1, next)
		}
		c.goTo(t)
		if i < len(offs)-1 {
			c.place(next)
		}
	}
	return nil
}

func (c *bpfCompiler) genPort(n portNode, t, f int) error {
	checkPorts := func(load func(off uint32)) {
		var offs []uint32
		if n.dir != dirDst {
			offs = append(offs, 0)
		}
		if n.dir != dirSrc {
			offs = append(offs, 2)
		}
		for i, off := range offs {
			next := f
			if i < len(offs)-1 {
				next = c.newLabel()
			}
			load(off)
			if n.lo == n.hi {
				c.jump(bpf.JumpEqual, uint32(n.lo), t, next)
			} else {
				c.jump(bpf.JumpGreaterOrEqual, uint32(n.lo), -1, next)
				c.jump(bpf.JumpGreaterThan, uint32(n.hi), next, t)
			}
			if i < len(offs)-1 {
				c.place(next)
			}
		}
	}
	protoCheck := func(off uint32, fail int, v6 bool) {
		c.emit(bpf.LoadAbsolute{Off: off, Size: 1})
		ok := c.newLabel()
		switch n.proto {
		case 0:
			c.jump(bpf.JumpEqual, protoTCP, ok, -1)
			c.jump(bpf.JumpEqual, protoUDP, ok, -1)
		default:
			c.jump(bpf.JumpEqual, uint32(n.proto), ok, -1)
		}
		if v6 {
			c.keepIPv6Ext(fail)
		} else {
			c.goTo(fail)
		}
		c.place(ok)
	}
	v6 := c.newLabel()
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	c.jump(bpf.JumpEqual, 0x0800, -1, v6)
	protoCheck(ip4Proto, f, false)
	c.emit(bpf.LoadAbsolute{Off: ip4Base + 6, Size: 2})
	c.jump(bpf.JumpBitsSet, 0x1fff, f, -1) // later fragments carry no ports
	c.emit(bpf.LoadMemShift{Off: ip4Base})
	checkPorts(func(off uint32) { c.emit(bpf.LoadIndirect{Off: ip4Base + off, Size: 2}) })
	c.place(v6)
	c.emit(bpf.LoadAbsolute{Off: ethType, Size: 2})
	c.jump(bpf.JumpEqual, 0x86dd, -1, f)
	protoCheck(ip6NextH, f, true)
	checkPorts(func(off uint32) { c.emit(bpf.LoadAbsolute{Off: ip6Base + 40 + off, Size: 2}) })
	return nil
}
