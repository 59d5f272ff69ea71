package main

import "erpconnector/formats/money"

func formatAmount(minor int64, ccy string) string {
	if ccy == "" {
		return ""
	}
	return money.Amount{Minor: minor, Currency: ccy}.String()
}
