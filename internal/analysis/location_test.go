package analysis

import (
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in      string
		want    string // Label, or the error's start
		wantErr bool
	}{
		{"Paris", "Paris, FR", false},
		{"new york", "New York, US", false},
		{"1.29,103.85", "1.29,103.85", false},
		{"-33.87, 151.21", "-33.87,151.21", false},
		{"", "empty location", true},
		{"12,500", "\"12,500\": latitude", true},
		{"Espoo", "Espoo, FI", false},
		{"Xyzzyville", "\"Xyzzyville\" is not a city", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParseLocation(tc.in)
			switch {
			case tc.wantErr && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("err = %v, want prefix %q", err, tc.want)
			case !tc.wantErr && (err != nil || p.Label() != tc.want):
				t.Errorf("ParseLocation = %v, %v; want %q", p, err, tc.want)
			}
		})
	}
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"Paris", "new york", "1.29,103.85", "-33.87, 151.21", "", "12,500", "NaN,1", "1e309,0", "São Paulo", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseLocation(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if !p.HasCoords || !(p.Lat >= -90 && p.Lat <= 90) || !(p.Lon >= -180 && p.Lon <= 180) || p.Source != "user" {
			t.Fatalf("ParseLocation(%q) = %+v", s, p)
		}
	})
}
