package kbjson

// The payment item schema for the passthrough reader. Keys outside it are
// unknown (not in KB's allow-list); keys in it that the canonical model cannot
// carry are "not supported" and reported, never dropped silently. Everything
// supported is exactly what appendItem writes, so a canonical item read and
// re-encoded gives the same bytes.

type kind uint8

const (
	kObject kind = iota
	kString
	kNumber
	kRefs        // a string or an array of strings (S9 sends arrays, COBS v8 a string)
	kUnsupported // allowed by KB, not carried by erpconnector
)

type node struct {
	kind   kind
	fields map[string]*node
	why    string // kUnsupported: what to do instead
}

func obj(fields map[string]*node) *node { return &node{kind: kObject, fields: fields} }
func unsupported(why string) *node      { return &node{kind: kUnsupported, why: why} }

var (
	str = &node{kind: kString}
	num = &node{kind: kNumber}
)

func accountNode() *node {
	return obj(map[string]*node{
		"identification": obj(map[string]*node{
			"iban":  str,
			"other": unsupported("give the account as identification.iban"),
		}),
		"currency": str,
	})
}

var itemSchema = obj(map[string]*node{
	"paymentIdentification": obj(map[string]*node{
		"instructionIdentification": str,
		"endToEndIdentification":    str,
	}),
	"paymentTypeInformation": obj(map[string]*node{
		"instructionPriority": str,
		"serviceLevel":        unsupported("erpconnector sends domestic payments and passes no service level"),
		"categoryPurpose":     unsupported("category purposes are not passed on"),
	}),
	"amount": obj(map[string]*node{
		"instructedAmount": obj(map[string]*node{"value": num, "currency": str}),
		"equivalentAmount": unsupported("give the amount in instructedAmount"),
	}),
	"requestedExecutionDate":  str,
	"exchangeRateInformation": unsupported("agreed exchange rates are not passed on"),
	"chargeBearer":            str,
	"ultimateDebtor":          unsupported("ultimate debtors are not passed on"),
	"debtor":                  unsupported("KB identifies the debtor by debtorAccount; the debtor's name and address are not passed on"),
	"debtorAccount":           accountNode(),
	"creditorAgent":           unsupported("the creditor's bank is given by the creditor IBAN"),
	"creditor": obj(map[string]*node{
		"name": str,
		"postalAddress": obj(map[string]*node{
			"streetName": str, "buildingNumber": str, "postCode": str,
			"townName": str, "country": str, "addressLine": str,
		}),
	}),
	"creditorAccount":  accountNode(),
	"ultimateCreditor": unsupported("ultimate creditors are not passed on"),
	"purpose":          unsupported("purpose codes are not passed on"),
	"remittanceInformation": obj(map[string]*node{
		"unstructured": str,
		"structured": obj(map[string]*node{
			"creditorReferenceInformation": obj(map[string]*node{"reference": {kind: kRefs}}),
		}),
	}),
})
