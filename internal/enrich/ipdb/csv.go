package ipdb

import (
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// CSVKind says which ip-location-db CSV layout a file has.
type CSVKind int

// CSV layouts of the ip-location-db packages.
const (
	// CSVASN is "start,end,asn,organisation" (the asn package).
	CSVASN CSVKind = iota + 1
	// CSVCountry is "start,end,country" (the *-country packages).
	CSVCountry
)

// SniffCSV guesses a file's layout from its first record: four fields is ASN, three is country.
func SniffCSV(first []byte) (CSVKind, error) {
	line, _, _ := strings.Cut(string(first), "\n")
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("first line: %w", err)
	}
	switch len(rec) {
	case 4:
		return CSVASN, nil
	case 3:
		return CSVCountry, nil
	}
	return 0, fmt.Errorf("first line has %d fields: want 4 (start,end,asn,organisation) or 3 (start,end,country)", len(rec))
}

// ReadASNCSV reads "start,end,asn,organisation" rows; start and end are addresses or decimal numbers
// (the -num files). name is used in errors ("asn-ipv4.csv:12: ...").
func ReadASNCSV(r io.Reader, name string) ([]ASNRange, error) {
	var out []ASNRange
	err := readCSV(r, name, 4, func(line int, f []string) error {
		s, e, err := parseRange(f[0], f[1])
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(strings.TrimSpace(f[2]), 10, 32)
		if err != nil {
			return fmt.Errorf("field 3 %q: want an AS number", f[2])
		}
		out = append(out, ASNRange{Start: s, End: e, ASN: uint32(n), Org: strings.TrimSpace(f[3])})
		return nil
	})
	return out, err
}

// ReadCountryCSV reads "start,end,country" rows.
func ReadCountryCSV(r io.Reader, name string) ([]CountryRange, error) {
	var out []CountryRange
	err := readCSV(r, name, 3, func(line int, f []string) error {
		s, e, err := parseRange(f[0], f[1])
		if err != nil {
			return err
		}
		cc := strings.ToUpper(strings.TrimSpace(f[2]))
		if len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
			return fmt.Errorf("field 3 %q: want a two-letter country code", f[2])
		}
		out = append(out, CountryRange{Start: s, End: e, Country: cc})
		return nil
	})
	return out, err
}

func readCSV(r io.Reader, name string, fields int, row func(line int, f []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != fields {
			return fmt.Errorf("%s:%d: %d fields, want %d", name, line, len(rec), fields)
		}
		if err := row(line, rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}

func parseRange(a, b string) (netip.Addr, netip.Addr, error) {
	s, err := parseAddr(a)
	if err != nil {
		return s, s, fmt.Errorf("field 1: %w", err)
	}
	e, err := parseAddr(b)
	if err != nil {
		return s, e, fmt.Errorf("field 2: %w", err)
	}
	if s.Is4() != e.Is4() {
		return s, e, fmt.Errorf("range %s-%s mixes IPv4 and IPv6", s, e)
	}
	if e.Less(s) {
		return s, e, fmt.Errorf("range %s-%s ends before it starts", s, e)
	}
	return s, e, nil
}

// parseAddr reads an address or a decimal number (IPv4 when it fits in 32 bits, else IPv6).
func parseAddr(f string) (netip.Addr, error) {
	f = strings.TrimSpace(f)
	if strings.ContainsAny(f, ".:") {
		a, err := netip.ParseAddr(f)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("%q: want an IP address", f)
		}
		return a.Unmap(), nil
	}
	if n, err := strconv.ParseUint(f, 10, 64); err == nil {
		if n <= 1<<32-1 {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], uint32(n))
			return netip.AddrFrom4(b), nil
		}
	}
	var n big.Int
	if _, ok := n.SetString(f, 10); !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return netip.Addr{}, fmt.Errorf("%q: want an IP address or a decimal number below 2^128", f)
	}
	var b [16]byte
	n.FillBytes(b[:])
	return netip.AddrFrom16(b), nil
}
