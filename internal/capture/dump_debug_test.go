package capture

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugDump(t *testing.T) {
	f := os.Getenv("DUMP")
	if f == "" {
		t.Skip()
	}
	res, err := ReadFile(f, Config{})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Analyzer.Inventory(f)
	for _, fl := range inv.Flows {
		fmt.Printf("%s %s %s->%s %s host=%q src=%s asked=%q up=%d/%d down=%d/%d rtt=%v fb=%s\n", fl.ID, fl.Transport, fl.Client, fl.Server, fl.Protocol, fl.Host, fl.NameSource, fl.AskedName, fl.BytesUp, fl.PacketsUp, fl.BytesDown, fl.PacketsDown, fl.HandshakeRTT, fl.FirstBytes)
	}
	fmt.Println(inv.Warnings, res.Analyzer.Stats())
}
