package explain

import "hopscope/internal/path"

// statsExtra takes what an aggregate carries beyond mtr's columns (continuous rounds' jitter and
// window of samples) into m.
func statsExtra(m *Measure, s *path.Stats) {
	// The model's zero jitter means "not said" (fewer than two RTTs, or a tool without the column).
	if s.Jitter > 0 && s.Received >= 2 {
		m.JitterMs, m.HasJitter = ms(s.Jitter), true
	}
	m.Late = s.Late
	if len(s.Samples) > 0 {
		m.SamplesMs = make([]float64, len(s.Samples))
		for i, d := range s.Samples {
			m.SamplesMs[i] = ms(d)
		}
	}
}
