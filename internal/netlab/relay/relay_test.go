package relay

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
)

func TestDelivery(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := time.Millisecond
	tests := []struct {
		name    string
		last    time.Time
		delay   time.Duration
		jitter  time.Duration
		reorder bool
		u       float64
		want    time.Time
	}{
		{"no delay", time.Time{}, 0, 0, false, 0.3, t0},
		{"plain delay", time.Time{}, 60 * ms, 0, false, 0.9, t0.Add(60 * ms)},
		{"jitter low end", time.Time{}, 60 * ms, 10 * ms, false, 0, t0.Add(50 * ms)},
		{"jitter middle", time.Time{}, 60 * ms, 10 * ms, false, 0.5, t0.Add(60 * ms)},
		{"jitter high end", time.Time{}, 60 * ms, 10 * ms, false, 0.75, t0.Add(65 * ms)},
		{"jitter clamps at zero", time.Time{}, 5 * ms, 20 * ms, false, 0, t0},
		{"order kept behind slower packet", t0.Add(70 * ms), 60 * ms, 10 * ms, false, 0, t0.Add(70 * ms)},
		{"reorder allowed", t0.Add(70 * ms), 60 * ms, 10 * ms, true, 0, t0.Add(50 * ms)},
		{"later than last is kept", t0.Add(10 * ms), 60 * ms, 0, false, 0, t0.Add(60 * ms)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Delivery(t0, tc.last, tc.delay, tc.jitter, tc.reorder, tc.u)
			if !got.Equal(tc.want) {
				t.Errorf("Delivery = %v after t0, want %v", got.Sub(t0), tc.want.Sub(t0))
			}
		})
	}
}

func TestAdmitLossIsSeeded(t *testing.T) {
	run := func(seed uint64) []bool {
		d := newDirection(nil, nil, Config{Loss: 0.3, Seed: seed, QueueLimit: 1 << 20}, 0)
		var kept []bool
		for i := 0; i < 1000; i++ {
			kept = append(kept, d.admit(time.Unix(0, 0), []byte{byte(i)}))
		}
		return kept
	}
	a, b, c := run(1), run(1), run(2)
	lost := 0
	for _, k := range a {
		if !k {
			lost++
		}
	}
	if lost < 200 || lost > 400 {
		t.Errorf("lost %d of 1000 with Loss 0.3, want about 300", lost)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("same seed gave different loss patterns")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds gave the same loss pattern")
	}
}

func TestAdmitOverflow(t *testing.T) {
	d := newDirection(nil, nil, Config{QueueLimit: 2}, 0)
	got := []bool{d.admit(time.Unix(0, 0), []byte{1}), d.admit(time.Unix(0, 0), []byte{2}), d.admit(time.Unix(0, 0), []byte{3})}
	if fmt.Sprint(got) != "[true true false]" {
		t.Errorf("admit = %v, want [true true false]", got)
	}
	if s := d.stats(); s.Overflow != 1 {
		t.Errorf("Overflow = %d, want 1", s.Overflow)
	}
}

// TestRelayKeepsOrderUnderJitter sends numbered packets through a jittery
// direction over in-memory pipes and checks that all arrive, in order.
func TestRelayKeepsOrderUnderJitter(t *testing.T) {
	aDev, aTest := net.Pipe()
	bDev, bTest := net.Pipe()
	r := Start(aDev, bDev, Config{Delay: 2 * time.Millisecond, Jitter: 2 * time.Millisecond, Seed: 7}, Config{})
	defer r.Close()

	const n = 50
	got := make(chan []byte, n)
	go func() {
		buf := make([]byte, 64)
		for i := 0; i < n; i++ {
			k, err := bTest.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- bytes.Clone(buf[:k])
		}
		close(got)
	}()
	for i := 0; i < n; i++ {
		if _, err := aTest.Write([]byte(fmt.Sprintf("pkt-%03d", i))); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	i := 0
	for p := range got {
		if want := fmt.Sprintf("pkt-%03d", i); string(p) != want {
			t.Fatalf("packet %d = %q, want %q", i, p, want)
		}
		i++
	}
	if i != n {
		t.Fatalf("got %d packets, want %d", i, n)
	}
	// The writer counts a packet after Write returns, just after the reader saw it.
	ab, ba := r.Stats()
	for deadline := time.Now().Add(2 * time.Second); ab.Delivered < n && time.Now().Before(deadline); ab, ba = r.Stats() {
		time.Sleep(time.Millisecond)
	}
	if ab.Read != n || ab.Delivered != n || ba.Read != 0 {
		t.Errorf("stats ab=%+v ba=%+v, want %d read and delivered one way", ab, ba, n)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func BenchmarkRelay(b *testing.B) {
	aDev, aTest := net.Pipe()
	bDev, bTest := net.Pipe()
	r := Start(aDev, bDev, Config{}, Config{})
	defer r.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, err := bTest.Read(buf); err != nil {
				return
			}
		}
	}()
	pkt := make([]byte, 1400)
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if _, err := aTest.Write(pkt); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRelayWithoutDelay covers the direct path: loss still applies, order is kept.
func TestRelayWithoutDelay(t *testing.T) {
	aDev, aTest := net.Pipe()
	bDev, bTest := net.Pipe()
	r := Start(aDev, bDev, Config{Loss: 0.5, Seed: 3}, Config{})
	defer r.Close()
	const n = 200
	got := make(chan string, n)
	go func() {
		buf := make([]byte, 64)
		for {
			k, err := bTest.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- string(buf[:k])
		}
	}()
	for i := 0; i < n; i++ {
		if _, err := aTest.Write([]byte(fmt.Sprintf("%03d", i))); err != nil {
			t.Fatal(err)
		}
	}
	ab, _ := r.Stats()
	for deadline := time.Now().Add(2 * time.Second); ab.Delivered+ab.Lost < n && time.Now().Before(deadline); ab, _ = r.Stats() {
		time.Sleep(time.Millisecond)
	}
	r.Close()
	prev, count := "", 0
	for p := range got {
		if p <= prev {
			t.Fatalf("packet %q after %q", p, prev)
		}
		prev = p
		count++
	}
	if ab.Lost == 0 || ab.Lost > n*3/4 || uint64(count) != ab.Delivered {
		t.Errorf("lost %d, delivered %d, received %d of %d; want about half lost", ab.Lost, ab.Delivered, count, n)
	}
}

func TestAdmitHeld(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := time.Millisecond
	d := newDirection(nil, nil, Config{Delay: 10 * ms}, 0)
	d.admitHeld(t0, []byte("held"), 100*ms)
	d.admitHeld(t0.Add(ms), []byte("next"), 0)
	d.admitHeld(t0.Add(2*ms), []byte("held again"), 50*ms)
	want := map[string]time.Duration{"held": 110 * ms, "next": 11 * ms, "held again": 62 * ms}
	for _, p := range d.q {
		if w := want[string(p.data)]; p.at.Sub(t0) != w {
			t.Errorf("%s leaves at t0+%v, want t0+%v", p.data, p.at.Sub(t0), w)
		}
	}
	if d.last.Sub(t0) != 11*ms {
		t.Errorf("in-order floor at t0+%v, want t0+11ms: held packets must not hold up the others", d.last.Sub(t0))
	}
}

// TestRelayHold covers Config.Hold on a link without delay: the held packet leaves after the
// packets written behind it.
func TestRelayHold(t *testing.T) {
	aDev, aTest := net.Pipe()
	bDev, bTest := net.Pipe()
	hold := func(pkt []byte) time.Duration {
		if string(pkt) == "slow" {
			return 200 * time.Millisecond
		}
		return 0
	}
	r := Start(aDev, bDev, Config{Hold: hold}, Config{})
	defer r.Close()
	got := make(chan string, 3)
	go func() {
		buf := make([]byte, 64)
		for i := 0; i < 3; i++ {
			k, err := bTest.Read(buf)
			if err != nil {
				break
			}
			got <- string(buf[:k])
		}
		close(got)
	}()
	for _, p := range []string{"slow", "fast-1", "fast-2"} {
		if _, err := aTest.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	var order []string
	for p := range got {
		order = append(order, p)
	}
	if fmt.Sprint(order) != "[fast-1 fast-2 slow]" {
		t.Errorf("delivered %v, want [fast-1 fast-2 slow]", order)
	}
}
