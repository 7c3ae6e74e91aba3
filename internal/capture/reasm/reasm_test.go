package reasm

import (
	"bytes"
	"testing"
)

func TestBuffer(t *testing.T) {
	type w struct {
		off int64
		s   string
	}
	tests := []struct {
		name   string
		max    int
		writes []w
		want   string
		full   bool
	}{
		{"in order", 16, []w{{0, "hello "}, {6, "world"}}, "hello world", false},
		{"out of order", 16, []w{{6, "world"}, {0, "hello "}}, "hello world", false},
		{"gap", 16, []w{{0, "he"}, {6, "world"}}, "he", false},
		{"retransmission overlaps", 16, []w{{0, "hello"}, {2, "llo w"}, {0, "hel"}, {7, "orld"}}, "hello world", false},
		{"clipped at max", 5, []w{{0, "hello world"}}, "hello", true},
		{"beyond max ignored", 5, []w{{9, "x"}, {0, "ab"}}, "ab", false},
		{"negative offset ignored", 8, []w{{-3, "abc"}, {0, "x"}}, "x", false},
		{"starts late", 8, []w{{2, "cd"}}, "", false},
		{"fills middle", 8, []w{{0, "ab"}, {4, "ef"}, {2, "cd"}, {6, "gh"}}, "abcdefgh", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Buffer{Max: tt.max}
			for _, x := range tt.writes {
				b.Write(x.off, []byte(x.s))
			}
			if got := string(b.Contiguous()); got != tt.want {
				t.Errorf("Contiguous = %q, want %q", got, tt.want)
			}
			if b.Full() != tt.full {
				t.Errorf("Full = %v, want %v", b.Full(), tt.full)
			}
		})
	}
}

func TestBufferTooManyPieces(t *testing.T) {
	b := Buffer{Max: 1000}
	for i := 0; i < maxRanges; i++ {
		if !b.Write(int64(10+i*3), []byte("x")) {
			t.Fatalf("write %d refused early", i)
		}
	}
	if b.Write(900, []byte("y")) {
		t.Fatal("write beyond the range limit accepted")
	}
	// A write that merges into an existing range is still accepted.
	if !b.Write(10, []byte("xy")) {
		t.Fatal("merging write refused")
	}
}

func FuzzBuffer(f *testing.F) {
	f.Add(int64(0), []byte("abc"), int64(2), []byte("cdef"), int64(1), []byte("bc"))
	f.Fuzz(func(t *testing.T, o1 int64, p1 []byte, o2 int64, p2 []byte, o3 int64, p3 []byte) {
		const max = 64
		b := Buffer{Max: max}
		ref := make([]byte, max)
		have := make([]bool, max)
		for _, w := range []struct {
			o int64
			p []byte
		}{{o1, p1}, {o2, p2}, {o3, p3}} {
			if !b.Write(w.o, w.p) {
				t.Fatal("write refused with few pieces")
			}
			if w.o < 0 || w.o >= max {
				continue
			}
			for i, c := range w.p {
				if int(w.o)+i < max {
					ref[int(w.o)+i] = c
					have[int(w.o)+i] = true
				}
			}
		}
		n := 0
		for n < max && have[n] {
			n++
		}
		if got := b.Contiguous(); !bytes.Equal(got, ref[:n]) {
			t.Fatalf("Contiguous = %q, want %q", got, ref[:n])
		}
	})
}
