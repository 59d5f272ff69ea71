package csvpay

// field is a payment field a column can be mapped to.
type field int

const (
	fInstructionID field = iota
	fEndToEndID
	fAmount
	fCurrency
	fRequestedDate
	fDebtorAccount
	fDebtorName
	fCreditorAccount
	fCreditorBankCode
	fCreditorBIC
	fCreditorName
	fCreditorStreet
	fCreditorBuilding
	fCreditorPostcode
	fCreditorTown
	fCreditorCountry
	fMessage
	fOwnText
	fVS
	fKS
	fSS
	fReference
	fFIK
	fPriority
	numFields
)

// fieldNames are the keys of the [columns] table, in field order.
var fieldNames = [numFields]string{
	fInstructionID:    "instruction_id",
	fEndToEndID:       "end_to_end_id",
	fAmount:           "amount",
	fCurrency:         "currency",
	fRequestedDate:    "requested_date",
	fDebtorAccount:    "debtor_account",
	fDebtorName:       "debtor_name",
	fCreditorAccount:  "creditor_account",
	fCreditorBankCode: "creditor_bank_code",
	fCreditorBIC:      "creditor_bic",
	fCreditorName:     "creditor_name",
	fCreditorStreet:   "creditor_street",
	fCreditorBuilding: "creditor_building",
	fCreditorPostcode: "creditor_postcode",
	fCreditorTown:     "creditor_town",
	fCreditorCountry:  "creditor_country",
	fMessage:          "message",
	fOwnText:          "own_text",
	fVS:               "vs",
	fKS:               "ks",
	fSS:               "ss",
	fReference:        "reference",
	fFIK:              "fik",
	fPriority:         "priority",
}

func fieldByName(name string) (field, bool) {
	for f, n := range fieldNames {
		if n == name {
			return field(f), true
		}
	}
	return 0, false
}
