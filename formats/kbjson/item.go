package kbjson

// appendItem writes one payment item in the order of the spec's §8 example,
// with the optional fields where COBS puts them: paymentIdentification,
// paymentTypeInformation, amount, requestedExecutionDate, chargeBearer,
// debtorAccount, creditorAccount, creditor, remittanceInformation.
func appendItem(b []byte, d *itemData) []byte {
	b = append(b, `{"paymentIdentification":{`...)
	b = appendField(b, false, "instructionIdentification", d.instrID)
	if d.e2e != "" {
		b = appendField(b, true, "endToEndIdentification", d.e2e)
	}
	b = append(b, '}')
	if d.priority != "" {
		b = append(b, `,"paymentTypeInformation":{`...)
		b = appendField(b, false, "instructionPriority", d.priority)
		b = append(b, '}')
	}
	// The amount is a JSON number written from the integer minor units.
	b = append(b, `,"amount":{"instructedAmount":{"value":`...)
	b = append(b, d.amount.Decimal()...)
	b = appendField(b, true, "currency", d.amount.Currency)
	b = append(b, "}}"...)
	b = appendField(b, true, "requestedExecutionDate", d.date)
	if d.chargeBearer != "" {
		b = appendField(b, true, "chargeBearer", d.chargeBearer)
	}
	b = appendAccount(b, "debtorAccount", d.debtorIBAN, d.debtorCcy)
	b = appendAccount(b, "creditorAccount", d.creditorIBAN, d.creditorCcy)
	if d.hasCreditor {
		b = appendKey(b, true, "creditor")
		b = append(b, '{')
		comma := false
		if d.creditor.Name != "" {
			b = appendField(b, false, "name", d.creditor.Name)
			comma = true
		}
		if d.hasPostalAddr {
			b = appendKey(b, comma, "postalAddress")
			b = append(b, '{')
			c := false
			for _, f := range [...]struct{ k, v string }{
				{"streetName", d.creditor.Street},
				{"buildingNumber", d.creditor.BuildingNo},
				{"postCode", d.creditor.PostCode},
				{"townName", d.creditor.Town},
				{"country", d.creditor.Country},
				{"addressLine", d.addressLine},
			} {
				if f.v != "" {
					b = appendField(b, c, f.k, f.v)
					c = true
				}
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if d.unstructured != "" || len(d.refs) > 0 {
		b = append(b, `,"remittanceInformation":{`...)
		comma := false
		if d.unstructured != "" {
			b = appendField(b, false, "unstructured", d.unstructured)
			comma = true
		}
		if len(d.refs) > 0 {
			b = appendKey(b, comma, "structured")
			b = append(b, `{"creditorReferenceInformation":{"reference":[`...)
			for i, r := range d.refs {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, r)
			}
			b = append(b, "]}}"...)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendAccount(b []byte, key, iban, ccy string) []byte {
	b = appendKey(b, true, key)
	b = append(b, `{"identification":{`...)
	b = appendField(b, false, "iban", iban)
	b = append(b, '}')
	b = appendField(b, true, "currency", ccy)
	return append(b, '}')
}
