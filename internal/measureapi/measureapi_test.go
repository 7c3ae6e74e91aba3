package measureapi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	var v struct{ A int }
	if err := Decode([]byte(`{"A":1}`), "x", &v); err != nil || v.A != 1 {
		t.Fatalf("Decode = %v, %+v", err, v)
	}
	err := Decode([]byte(`{"A":"one"}`), "the answer", &v)
	var de *DecodeError
	if !errors.As(err, &de) || de.Offset < 0 || string(de.Body) != `{"A":"one"}` || de.What != "the answer" {
		t.Fatalf("type error = %#v", err)
	}
	err = Decode([]byte(`{"A":`), "the answer", &v)
	if !errors.As(err, &de) || de.Offset != 5 {
		t.Fatalf("syntax error = %#v", err)
	}
}

func TestCredential(t *testing.T) {
	dir := t.TempDir()
	env := func(v string) func(string) string { return func(string) string { return v } }
	tests := []struct {
		name   string
		getenv func(string) string
		file   string // content of the file in dir; "" for none
		want   string
	}{
		{"environment wins", env(" tok "), "file-token\n", "tok"},
		{"file's first line", env(""), "file-token\nsecond\n", "file-token"},
		{"none", nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "token")
			os.Remove(p)
			if tc.file != "" {
				if err := os.WriteFile(p, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Credential(tc.getenv, "TOKEN", dir, "token")
			if err != nil || got != tc.want {
				t.Fatalf("Credential = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Credential(nil, "TOKEN", dir, "adir"); err == nil {
		t.Error("an unreadable credential file was accepted")
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPWithDefaults(t *testing.T) {
	tests := []struct {
		name     string
		in       HTTP
		wantBase string
		wantHost string
		wantUA   string
		wantWait time.Duration
	}{
		{"zero value", HTTP{}, "https://api.example/v1", "api.example", "hopscope", time.Minute},
		{"override kept, trailing slash cut", HTTP{BaseURL: "http://127.0.0.1:8080/v1//", UserAgent: "x", MaxWait: time.Second},
			"http://127.0.0.1:8080/v1", "127.0.0.1:8080", "x", time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.in.WithDefaults("https://api.example/v1")
			if h.BaseURL != tc.wantBase || h.Host() != tc.wantHost || h.UserAgent != tc.wantUA || h.MaxWait != tc.wantWait ||
				h.HTTPClient == nil || h.Sleep == nil {
				t.Errorf("got %+v host %q", h, h.Host())
			}
		})
	}
}
