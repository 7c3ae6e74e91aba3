package tracefile

// workHook, when not nil, is called by the importers' loops that could grow with what was already
// read (a hop's responders or probes, a line's tokens, the input's bytes) with the number of
// elements they looked at, as path.WorkHook is by the path model's methods. Tests set both to pin,
// without timing anything, that importing costs work linear in the size of the input; such tests
// must not run in parallel while it is set. Nil, the default and the only value outside tests,
// counts nothing.
var workHook func(n int)

// work reports n elements looked at to workHook.
func work(n int) {
	if workHook != nil {
		workHook(n)
	}
}
