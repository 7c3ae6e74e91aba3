package mitm

import (
	"maps"
	"slices"
	"time"
)

// The slow path of a ProcessTable, for a socket its probes did not find: re-reading the recent owners'
// descriptors from the lowest up, then walking every process.

// walkMark is when a re-read or walk began and how long it took, for spacing the next.
type walkMark struct {
	seq   uint64 // which re-read (walks at its start); 0 for none yet
	start time.Time
	took  time.Duration
}

// walkResult is one walk of every visible process: who holds each socket inode, and the
// descriptors of each process that holds any.
type walkResult struct {
	socks map[uint64]walkedSock
	procs map[int]*walkedProc
	reads int // descriptors read
}

type walkedSock struct{ pid, fd int }

type walkedProc struct {
	name string
	fds  map[int]uint64
}

// reread re-reads every descriptor of the recent owners, or (full) walks every process, with the lock
// released; concurrent lookups wait for it.
func (t *ProcessTable) reread(full bool) {
	t.walking = true
	t.walks++
	mark := walkMark{seq: t.walks, start: t.now()}
	if full {
		t.stats.fullWalks++
		t.mu.Unlock()
		w := walk(t.src)
		t.mu.Lock()
		t.walked = w
		t.stats.rereadReads += w.reads
		mark.took = t.now().Sub(mark.start)
		t.lastFull = mark
	} else {
		t.stats.recentWalks++
		rps := slices.Clone(t.recent)
		want := maps.Clone(t.wanted)
		maxes := make([]int, len(rps))
		for i, rp := range rps {
			maxes[i] = rp.max
		}
		reads := make([]rereadResult, len(rps))
		t.mu.Unlock()
		for i, rp := range rps {
			if len(want) == 0 {
				reads[i] = rereadResult{upto: -1, stopped: true}
				continue
			}
			reads[i] = rereadFDs(rp.h, want, maxes[i])
		}
		t.mu.Lock()
		complete := true
		for i, rp := range rps {
			r := reads[i]
			t.stats.rereadReads += r.upto + 1
			complete = complete && !r.stopped
			switch {
			case r.upto < 0:
			case r.err != nil:
				t.evict(rp) // the process is gone
			case slices.Contains(t.recent, rp):
				t.merge(rp, r)
				if r.name != "" {
					rp.name, rp.named = r.name, mark.start
				}
			}
		}
		mark.took = t.now().Sub(mark.start)
		t.lastRecent = mark
		if complete {
			t.lastRecentAll = mark.seq
		}
	}
	t.walking = false
	for _, h := range t.retired {
		h.close()
	}
	t.retired = nil
	t.cond.Broadcast()
}

// rereadResult is one recent owner's descriptors read again, from 0 up to upto.
type rereadResult struct {
	upto    int            // the highest descriptor read; -1 for none
	fds     map[int]uint64 // those of them open
	stopped bool           // it stopped early: every wanted inode was found
	name    string
	err     error // the process is gone
}

// rereadFDs reads h's descriptors from 0 up (where new ones go first) to probeRun free numbers past
// both max and the highest it finds open, crossing each inode it finds off want, and stops early once
// want is empty. It lists nothing: descriptors are read by number.
func rereadFDs(h procHandle, want map[uint64]int, max int) rereadResult {
	r := rereadResult{upto: -1, fds: map[int]uint64{}}
	for fd, free := 0, 0; fd <= max || free < probeRun; fd++ {
		if len(want) == 0 {
			r.stopped = true
			break
		}
		ino, open := h.socket(fd)
		r.upto = fd
		if !open {
			free++
			continue
		}
		free = 0
		r.fds[fd] = ino
		delete(want, ino)
	}
	r.name, r.err = h.name()
	return r
}

// merge takes in what a re-read found of rp's descriptors from 0 to r.upto. Above that, what was known
// is left for probes to check (stale), unless the re-read went past the highest known.
func (t *ProcessTable) merge(rp *recentProc, r rereadResult) {
	rp.holes = rp.holes[:0]
	for fd := 0; fd <= r.upto; fd++ {
		if ino, open := r.fds[fd]; open {
			t.note(rp, fd, ino)
		} else {
			t.forget(rp, fd)
			rp.holes = append(rp.holes, fd)
		}
	}
	rp.max = max(rp.max, r.upto)
	for rp.max >= 0 {
		if _, ok := rp.known[rp.max]; ok {
			break
		}
		rp.max--
	}
	for len(rp.holes) > 0 && rp.holes[len(rp.holes)-1] > rp.max {
		rp.holes = rp.holes[:len(rp.holes)-1]
	}
	rp.stale = r.upto + 1
}

// readFDs reads every descriptor of one process.
func readFDs(h procHandle) (map[int]uint64, error) {
	fds, err := h.fds()
	if err != nil {
		return nil, err
	}
	m := make(map[int]uint64, len(fds))
	for _, fd := range fds {
		if ino, open := h.socket(fd); open {
			m[fd] = ino
		}
	}
	return m, nil
}

// walk reads every descriptor of every visible process.
func walk(src procSource) walkResult {
	w := walkResult{socks: map[uint64]walkedSock{}, procs: map[int]*walkedProc{}}
	for _, pid := range src.pids() {
		h, err := src.open(pid)
		if err != nil {
			continue
		}
		fds, err := readFDs(h)
		w.reads += len(fds)
		sockets := false
		for fd, ino := range fds {
			if ino != 0 {
				if _, seen := w.socks[ino]; !seen {
					w.socks[ino] = walkedSock{pid, fd}
				}
				sockets = true
			}
		}
		if err == nil && sockets {
			if name, err := h.name(); err == nil {
				w.procs[pid] = &walkedProc{name: name, fds: fds}
			}
		}
		h.close()
	}
	for ino, ws := range w.socks {
		if w.procs[ws.pid] == nil {
			delete(w.socks, ino) // its process went before its name was read
		}
	}
	return w
}
