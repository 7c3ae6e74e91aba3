package tracefile

import (
	"errors"
	"net/netip"
	"strings"
	"unicode"
)

// errBadTarget: a tracert header names its target with something other than an address in brackets.
var errBadTarget = errors.New("not an IP address in brackets")

// tracertHeadPrefixes open tracert's header line in the languages Windows ships; the target follows.
var tracertHeadPrefixes = []string{
	"Tracing route to ",                   // English
	"Routenverfolgung zu ",                // German
	"Détermination de l'itinéraire vers ", // French
	"Détermination de l’itinéraire vers ", // French, typographic apostrophe
	"Traza a la dirección ",               // Spanish
	"Traza a ",                            // Spanish, older releases
	"Rastreando a rota para ",             // Portuguese (Brazil)
	"A rastrear a rota para ",             // Portuguese (Portugal)
	"Traccia instradamento verso ",        // Italian
	"Rilevazione instradamento verso ",    // Italian, older releases
	"Трассировка маршрута к ",             // Russian
	"Śledzenie trasy do ",                 // Polish
	"Traceren van de route naar ",         // Dutch
	"Route traceren naar ",                // Dutch, other releases
	"到 ",                                  // Chinese (Simplified), after "通过最多 30 个跃点跟踪"
}

// tracertHeadSuffixes close the header line in languages that name the target first.
var tracertHeadSuffixes = []string{
	"(으)로 가는 경로 추적:",   // Korean, glued to the target: "dns.google [8.8.8.8](으)로 가는 경로 추적:"
	"(으)로 가는 경로 추적",    // Korean
	" へのルートをトレースしています", // Japanese
	" 的路由:", // Chinese (Simplified)
	" 的路由：",
	" 的路由", // Chinese (Traditional)
}

// tracertHeadInfixes follow the target in languages that name it first, where newer Windows releases
// put the hop limit on the same line after them.
var tracertHeadInfixes = []string{
	" へのルートをトレースしています", // Japanese
}

// tracertHeader reports whether line is a tracert header and returns the target text ("name
// [addr]" or "addr"), without a hop-limit phrase that may follow on the same line.
func tracertHeader(line string) (string, bool) {
	rest, ok := "", false
	for _, p := range tracertHeadPrefixes {
		if strings.HasPrefix(line, p) {
			rest, ok = line[len(p):], true
			break
		}
	}
	if !ok && strings.HasPrefix(line, "在上限 ") { // Traditional Chinese: "在上限 30 個躍點上追蹤 X [a] 的路由"
		if _, after, found := strings.Cut(line, "追蹤 "); found {
			rest, ok = after, true
		}
	}
	if !ok && strings.HasPrefix(line, "通过最多 ") { // Chinese on one line: "通过最多 30 个跃点跟踪到 X 的路由"
		if _, after, found := strings.Cut(line, "跟踪到 "); found {
			rest, ok = after, true
		}
	}
	if !ok {
		for _, m := range tracertHeadInfixes {
			if i := strings.Index(line, m); i > 0 {
				rest, ok = line[:i], true // "X へのルートをトレースしています。経由するホップ数は最大 30 です"
				break
			}
		}
	}
	if !ok {
		for _, s := range tracertHeadSuffixes {
			if strings.HasSuffix(line, s) && !strings.HasPrefix(line, "到 ") {
				rest, ok = strings.TrimSuffix(line, s), true
				break
			}
		}
	}
	if !ok {
		return "", false
	}
	for _, s := range tracertHeadSuffixes {
		rest = strings.TrimSuffix(rest, s)
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return "", false
	}
	// "name [addr]": find the bracketed address, so that a name a web page mangled before it
	// ("[> www.example.com](http://www.example.com/)>  [192.0.2.1]") costs only the name.
	for i, w := range f {
		if !strings.HasPrefix(w, "[") || !strings.HasSuffix(w, "]") {
			continue
		}
		if _, err := netip.ParseAddr(w[1 : len(w)-1]); err != nil {
			continue
		}
		if i > 0 && looksLikeHostname(f[i-1]) {
			return f[i-1] + " " + w, true
		}
		return w[1 : len(w)-1], true
	}
	target := f[0]
	if len(f) > 1 && strings.HasPrefix(f[1], "[") {
		target += " " + f[1]
	}
	return target, true
}

// tracertLimitWords mark the line that states the hop limit ("over a maximum of 30 hops:").
var tracertLimitWords = []string{
	"maximum of", "maximal", "maximum de", "máximo de", "no máximo", "massimo di",
	"максимальным числом", "最大", "最多", "上限", "최대",
	"maksymaln", // Polish: "z maksymalną liczbą 30 przeskoków:"
	"maximaal",  // Dutch: "via maximaal 30 hops:"
}

// isWrappedLimitTail reports whether line is the end of a hop-limit line that a mail or a narrow
// console wrapped ("over a maximum of 30" then "hops:"): one word ending in a colon, no digit.
func isWrappedLimitTail(line string) bool {
	return strings.HasSuffix(line, ":") && len(strings.Fields(line)) == 1 && !strings.ContainsAny(line, "0123456789[]")
}

// isWindowsBanner reports whether line is one of the lines cmd.exe or PowerShell print when they
// open, copied along with a trace: "Microsoft Windows [Version 10.0.18363.778]", "(c) 2019 Microsoft
// Corporation. All rights reserved.", "(C) Copyright 1985-2001 Microsoft Corp.", "Windows PowerShell",
// "Try the new cross-platform PowerShell https://aka.ms/pscore6".
func isWindowsBanner(line string) bool {
	return strings.HasPrefix(line, "Microsoft Windows") || line == "Windows PowerShell" ||
		strings.HasPrefix(line, "Try the new cross-platform PowerShell") ||
		(strings.HasPrefix(line, "(c)") || strings.HasPrefix(line, "(C)") || strings.HasPrefix(line, "Copyright")) && strings.Contains(line, "Microsoft Corp")
}

// tracertMaxHops reads the hop limit from a line such as "over a maximum of 30 hops:",
// "über maximal 30 Hops:", "с максимальным числом прыжков 30:" or "通过最多 30 个跃点跟踪".
func tracertMaxHops(line string) (int, bool) {
	if startsWithDigit(line) {
		return 0, false
	}
	return tracertLimitIn(line)
}

// tracertLimitIn reads the hop limit from a line known to be a header, which may open with the
// target's address ("2606:4700:4700::1111 へのルートをトレースしています。経由するホップ数は最大 10 です").
func tracertLimitIn(line string) (int, bool) {
	known := false
	for _, w := range tracertLimitWords {
		if strings.Contains(line, w) {
			known = true
			break
		}
	}
	if !known {
		return 0, false
	}
	for _, w := range strings.Fields(line) {
		w = strings.TrimRight(w, ":：")
		if n, ok := parseUint(w, 1<<16); ok {
			return n, true
		}
		// "30홉", "30個": digits glued to a word
		j := 0
		for j < len(w) && w[j] >= '0' && w[j] <= '9' {
			j++
		}
		if n, ok := parseUint(w[:j], 1<<16); ok && j > 0 && !strings.ContainsAny(w[j:], ".:0123456789") {
			return n, true
		}
	}
	return 0, false
}

// isClosingSentence reports whether line is a short sentence without digits, such as "Trace
// complete.", "Ablaufverfolgung beendet." or "跟踪完成。".
func isClosingSentence(line string) bool {
	if !(strings.HasSuffix(line, ".") || strings.HasSuffix(line, "。")) || strings.ContainsAny(line, "0123456789[]") ||
		!strings.ContainsFunc(line, unicode.IsLetter) {
		return false // "." and "..." stand for hops the author left out, not for the end
	}
	return len(strings.Fields(line)) <= 6
}

// tracertClosings open the line tracert prints at the end, in the languages tracert_lang.go knows; a
// paste may lose its final period.
var tracertClosings = []string{
	"trace complete", "ablaufverfolgung beendet", "itinéraire déterminé", "traza completa",
	"rastreamento concluído", "traccia completata", "трассировка завершена", "跟踪完成",
	"トレースを完了しました", "추적을 완료했습니다",
}

// isTracertClosing reports whether line is tracert's closing line, with or without its period.
func isTracertClosing(line string) bool {
	l := strings.ToLower(strings.TrimRight(line, ".。 "))
	for _, c := range tracertClosings {
		if l == c {
			return true
		}
	}
	return false
}

// tracertUnits are the millisecond units tracert prints: "ms", Russian "мс", Chinese "毫秒".
var tracertUnits = []string{"ms", "мс", "毫秒"}

func isTracertUnit(s string) bool {
	for _, u := range tracertUnits {
		if s == u {
			return true
		}
	}
	return false
}

// cutTracertUnit strips a glued unit ("4ms", "<1мс"); ok reports whether there was one.
func cutTracertUnit(s string) (string, bool) {
	for _, u := range tracertUnits {
		if v, ok := strings.CutSuffix(s, u); ok && v != "" {
			return v, true
		}
	}
	return s, false
}

// tracertReportCode maps the report after a responder ("reports: Destination net unreachable.",
// "meldet: Zielnetz nicht erreichbar.") to an unreachable code: "" for port unreachable (the
// destination answered), N, P, H, or X for anything else.
func tracertReportCode(report string) string {
	r := strings.ToLower(report)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(r, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("net unreachable", "network unreachable", "zielnetz", "réseau", "red de destino", "rede de destino", "rete di destinazione", "сеть", "网络", "ネットワーク"):
		return "N"
	case has("protocol unreachable", "protokoll", "protocole", "protocolo", "protocollo", "протокол", "协议", "プロトコル"):
		return "P"
	case has("port unreachable", "zielport", "port de destination", "puerto de destino", "porta de destino", "porta di destinazione", "порт", "端口", "ポート"):
		return ""
	case has("host unreachable", "zielhost", "hôte", "host de destino", "host di destinazione", "узел", "主机", "ホスト"):
		return "H"
	}
	return "X"
}
