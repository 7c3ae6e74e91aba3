package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var in input
	for _, f := range []struct {
		path string
		dst  any
	}{
		{write("ix.json", `{"data":[{"id":31,"name":"DE-CIX Frankfurt","city":"Frankfurt am Main","country":"DE","status":"ok"},
			{"id":7,"name":"Gone IX","city":"Paris","country":"FR","status":"deleted"},
			{"id":9,"name":"Nowhere IX","city":"Atlantis","country":"XX","status":"ok"}]}`), &in.ix},
		{write("ixlan.json", `{"data":[{"id":31,"ix_id":31},{"id":8,"ix_id":7},{"id":10,"ix_id":9}]}`), &in.lans},
		{write("ixpfx.json", `{"data":[{"ixlan_id":31,"prefix":"80.81.192.0/21","protocol":"IPv4","status":"ok"},
			{"ixlan_id":31,"prefix":"2001:7f8::/64","protocol":"IPv6","status":"ok"},
			{"ixlan_id":31,"prefix":"not a prefix","status":"ok"},
			{"ixlan_id":8,"prefix":"37.49.236.0/22","status":"ok"},
			{"ixlan_id":10,"prefix":"192.0.2.0/24","status":"ok"}]}`), &in.pfxs},
	} {
		if err := readData(f.path, f.dst); err != nil {
			t.Fatal(err)
		}
	}
	places, err := readGazetteer(strings.NewReader("# header\nFrankfurt am Main\tDE\t05\t50.12\t8.68\t650000\nParis\tFR\t11\t48.85\t2.35\t2100000\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, skipped := build(in, places)
	want := []string{
		"2001:7f8::/64\tDE-CIX Frankfurt\tFrankfurt am Main\tDE\t50.12\t8.68\tPeeringDB ix 31",
		"80.81.192.0/21\tDE-CIX Frankfurt\tFrankfurt am Main\tDE\t50.12\t8.68\tPeeringDB ix 31",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") || skipped != 3 {
		t.Errorf("rows (%d skipped):\n%s\nwant:\n%s", skipped, strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadDataErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"notjson": "{", "nodata": `{"meta":{}}`, "wrongtype": `{"data":{"id":1}}`} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		var xs []ix
		if err := readData(p, &xs); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
	if _, err := readGazetteer(strings.NewReader("a\tb\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad gazetteer: %v", err)
	}
}
