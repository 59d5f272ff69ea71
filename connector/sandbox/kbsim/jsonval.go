package kbsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"erpconnector/formats/money"
)

// object is a JSON object that remembers its key order, so errors come out in
// the order of the request and duplicate keys can be refused.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// maxDepth bounds nesting; a payment item needs 6 levels.
const maxDepth = 32

var errDuplicateKey = errors.New("duplicate key")

// decodeStrict reads exactly one JSON value into *object, []any, json.Number,
// string, bool or nil. Numbers stay text (never float64); duplicate keys and
// trailing data are errors, since a bank parser might take either copy.
func decodeStrict(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	t, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string) // the decoder guarantees a string key here
				if _, dup := o.vals[k]; dup {
					return nil, fmt.Errorf("%w %q", errDuplicateKey, k)
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals[k] = v
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// jsonType names a decoded value's JSON type for messages.
func jsonType(v any) string {
	switch v.(type) {
	case *object:
		return "object"
	case []any:
		return "array"
	case json.Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// maxExponent bounds the exponent of a JSON number amount; anything larger
// cannot be an amount and would only make long strings.
const maxExponent = 40

// plainDecimal rewrites a JSON number (which may carry an exponent, as
// serialisers of binary floats produce) as the plain decimal money.Parse
// reads, exactly and without rounding: "1.25e3" → "1250", "5E-1" → "0.5".
func plainDecimal(n string) (string, error) {
	mant, expText, hasExp := strings.Cut(strings.ToLower(n), "e")
	if !hasExp {
		return n, nil
	}
	exp := 0
	neg := false
	switch {
	case strings.HasPrefix(expText, "-"):
		neg, expText = true, expText[1:]
	case strings.HasPrefix(expText, "+"):
		expText = expText[1:]
	}
	if expText == "" {
		return "", fmt.Errorf("%q: %w", n, money.ErrSyntax)
	}
	for _, c := range expText {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("%q: %w", n, money.ErrSyntax)
		}
		exp = exp*10 + int(c-'0')
		if exp > maxExponent {
			return "", fmt.Errorf("%q: exponent too large: %w", n, money.ErrOverflow)
		}
	}
	if neg {
		exp = -exp
	}
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	point := len(intPart) + exp // position of the decimal point within digits
	switch {
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits, nil
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits)), nil
	default:
		return sign + digits[:point] + "." + digits[point:], nil
	}
}
