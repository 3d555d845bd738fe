package pickle

import (
	"encoding/hex"
	"testing"
)

// A {% cache %} fragment Django stored is a pickled SafeString (a str
// subclass): it reads as the text it holds, at protocols 2 and 5. The bytes
// are what Django 5.2.19 and Python 3.11 wrote for SafeString("<b>x</b>").
func TestDjangoSafeStringReadsAsString(t *testing.T) {
	for _, h := range []string{
		"800263646a616e676f2e7574696c732e73616665737472696e670a53616665537472696e670a710058080000003c623e783c2f623e71018571028171032e",
		"80059539000000000000008c17646a616e676f2e7574696c732e73616665737472696e67948c0a53616665537472696e679493948c083c623e783c2f623e94859481942e",
	} {
		b, _ := hex.DecodeString(h)
		v, err := Loads(b)
		if err != nil || v != "<b>x</b>" {
			t.Errorf("Loads(%s) = %#v, %v; want the string", h[:12], v, err)
		}
	}
}
