package pain002

import (
	"io"

	"erpconnector/formats/internal/xmlw"
)

// xw is the streaming XML writer.
type xw struct{ *xmlw.Writer }

func newXW(w io.Writer) *xw { return &xw{xmlw.New(w)} }

// amount writes <name Ccy="CCY">decimal</name>.
func (x *xw) amount(name, ccy, dec string) {
	x.Indent()
	x.Raw("<")
	x.Raw(name)
	x.Raw(` Ccy="`)
	x.Text(ccy)
	x.Raw(`">`)
	x.Raw(dec)
	x.Raw("</")
	x.Raw(name)
	x.Raw(">\n")
}
