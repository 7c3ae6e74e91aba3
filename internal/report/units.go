package report

import "strconv"

// BytesLabel writes a byte count with an SI unit: "999 B", "1.2 kB", "34 MB", "1.5 GB". Every renderer
// and command shows byte counts through it. A negative count means "not known" and is written "?".
func BytesLabel(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= 1000
		if f < 999.95 || u == "TB" {
			if f < 10 {
				return strconv.FormatFloat(f, 'f', 1, 64) + " " + u
			}
			return strconv.FormatFloat(f, 'f', 0, 64) + " " + u
		}
	}
	return ""
}
