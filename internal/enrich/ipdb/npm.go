package ipdb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Package is the content of one ip-location-db npm package archive (the output of `npm pack`).
type Package struct {
	Name, Version string
	ASNs          []ASNRange
	Countries     []CountryRange
}

// maxMember bounds one archive member, so a hostile archive cannot exhaust memory.
const maxMember = 512 << 20

// ReadPackage reads an npm package archive (.tgz) and loads its address CSVs: the IPv4 and IPv6 files
// in address notation ("*-ipv4.csv", "*-ipv6.csv"; the "-num" duplicates are skipped). name is used in errors.
func ReadPackage(r io.Reader, name string) (*Package, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: not a gzip archive: %w", name, err)
	}
	tr := tar.NewReader(zr)
	p := &Package{}
	csvs := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: tar: %w", name, err)
		}
		if h.Typeflag != tar.TypeReg || h.Size > maxMember {
			continue
		}
		base := path.Base(h.Name)
		member := name + ":" + h.Name
		switch {
		case base == "package.json":
			var pj struct{ Name, Version string }
			data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", member, err)
			}
			if err := json.Unmarshal(data, &pj); err != nil {
				return nil, fmt.Errorf("%s: %w", member, err)
			}
			p.Name, p.Version = pj.Name, pj.Version
		case strings.HasSuffix(base, "-ipv4.csv") || strings.HasSuffix(base, "-ipv6.csv"):
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", member, err)
			}
			if err := p.addCSV(data, member); err != nil {
				return nil, err
			}
			csvs++
		}
	}
	if csvs == 0 {
		return nil, fmt.Errorf("%s: no *-ipv4.csv or *-ipv6.csv file in the archive", name)
	}
	return p, nil
}

// AddCSV loads one CSV file of either layout into p.
func (p *Package) AddCSV(data []byte, name string) error { return p.addCSV(data, name) }

func (p *Package) addCSV(data []byte, name string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	kind, err := SniffCSV(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	switch kind {
	case CSVASN:
		r, err := ReadASNCSV(bytes.NewReader(data), name)
		if err != nil {
			return err
		}
		p.ASNs = append(p.ASNs, r...)
	case CSVCountry:
		r, err := ReadCountryCSV(bytes.NewReader(data), name)
		if err != nil {
			return err
		}
		p.Countries = append(p.Countries, r...)
	}
	return nil
}

// Source names the package for Meta.Sources ("@ip-location-db/asn@2.3.2026061719").
func (p *Package) Source() string {
	if p.Name == "" {
		return "unknown package"
	}
	return p.Name + "@" + p.Version
}
