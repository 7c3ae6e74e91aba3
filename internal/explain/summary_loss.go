package explain

import "fmt"

// linkPhrase names the link into hop ttl for a sentence: " (inside Orange)", " (between Orange and
// Tata Communications)", or "" when its carriers are unknown.
func linkPhrase(prevOp, op string) string {
	switch {
	case prevOp != "" && op != "" && SameOperator(prevOp, op):
		return " (inside " + op + ")"
	case prevOp != "" && op != "":
		return " (between " + prevOp + " and " + op + ")"
	case op != "":
		return " (into " + op + ")"
	case prevOp != "":
		return " (after " + prevOp + ")"
	}
	return ""
}

// pathLossSentence tells of real loss: from the first strong LossPath on, or at the destination alone.
func pathLossSentence(f *Findings) string {
	var dest *LossFinding
	for i := range f.Loss {
		if l := &f.Loss[i]; l.Kind == LossDestination && !l.Weak {
			dest = l
		}
	}
	for _, l := range f.Loss {
		if l.Kind != LossPath || l.Weak {
			continue
		}
		s := fmt.Sprintf("The path loses packets from hop %d on%s: every later hop loses at least ~%s%%", l.TTL,
			linkPhrase(l.PrevOperator, l.Operator), approxPct(l.LevelPct))
		if dest != nil {
			s += fmt.Sprintf(", the destination %s%%", approxPct(dest.LossPct))
		}
		return s + "."
	}
	if dest != nil {
		return fmt.Sprintf("The destination answers with %s%% loss that no earlier hop shows: the last link or the server itself drops packets (or limits its replies), and that is the loss the traffic sees.",
			approxPct(dest.LossPct))
	}
	return ""
}

// rateLimitSentence explains the largest strong rate limiting, the loss mtr users most often misread.
func rateLimitSentence(f *Findings) string {
	var big *LossFinding
	n := 0
	for i := range f.Loss {
		if l := &f.Loss[i]; l.Kind == LossRateLimit && !l.Weak {
			n++
			if big == nil || l.LossPct-l.LevelPct > big.LossPct-big.LevelPct {
				big = l
			}
		}
	}
	if big == nil {
		return ""
	}
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (%d more such hop%s)", n-1, plural(n-1))
	}
	return fmt.Sprintf("Hop %d's %s%% loss is the router limiting its own ICMP replies, not lost traffic: %s%s.",
		big.TTL, approxPct(big.LossPct), laterLoss(big), more)
}

// laterLoss says what the hops after a rate-limiting one lose.
func laterLoss(l *LossFinding) string {
	if l.LevelPct == 0 {
		return fmt.Sprintf("hop %d after it loses nothing", l.LevelTTL)
	}
	return fmt.Sprintf("hop %d after it loses only %s%%", l.LevelTTL, approxPct(l.LevelPct))
}

// queueingSentence tells where the RTT variation grows and stays.
func queueingSentence(f *Findings) string {
	for _, j := range f.Jitter {
		switch j.Kind {
		case JitterQueueing:
			if j.PrevTTL == 0 {
				return fmt.Sprintf("The RTT varies by ±%s ms from the first link on (hop %d; often Wi-Fi or a busy access line) and later hops keep it: queueing there.",
					approx(j.LevelMs), j.TTL)
			}
			return fmt.Sprintf("The RTT variation grows from ±%s ms to ±%s ms at hop %d%s and later hops keep it: queueing on that link.",
				approx(j.BeforeMs), approx(j.LevelMs), j.TTL, linkPhrase(j.PrevOperator, j.Operator))
		case JitterDestination:
			return fmt.Sprintf("The RTT varies by ±%s ms at the destination (hop %d), ±%s ms before it: the last link or the server queues.",
				approx(j.Ms), j.TTL, approx(j.BeforeMs))
		}
	}
	return ""
}

// jitteryRouterSentence tells of the most jittery single router.
func jitteryRouterSentence(f *Findings) string {
	var big *JitterFinding
	for i := range f.Jitter {
		if j := &f.Jitter[i]; j.Kind == JitterRouter && (big == nil || j.Ms-j.LevelMs > big.Ms-big.LevelMs) {
			big = j
		}
	}
	if big == nil {
		return ""
	}
	return fmt.Sprintf("Hop %d's replies vary by ±%s ms while hop %d after it varies by ±%s ms: that is the router's ICMP generation, not the path.",
		big.TTL, approx(big.Ms), big.LevelTTL, approx(big.LevelMs))
}
