package abo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// readUHL1 checks the fixed-width file header (§3.1). Only the fields the
// line has are checked: Fio's form stops after the interval (46 chars),
// ČSOB's worked example is a bare "UHL1".
func (r *Reader) readUHL1(rec string) {
	switch {
	case r.sawUHL1:
		r.add(r.line, "UHL1", "a second UHL1 header; there is one, on the first line")
	case r.records > 1:
		r.add(r.line, "UHL1", "the UHL1 header must be the first line of the file")
	}
	r.sawUHL1 = true
	rs := []rune(rec)
	switch len(rs) {
	case 4, 46, 58:
	default:
		r.add(r.line, "UHL1", "the header has %d characters; expected 58 (46 and a bare \"UHL1\" are also accepted)", len(rs))
	}
	if len(rs) >= 10 {
		if _, err := parseDDMMRR(string(rs[4:10])); err != nil {
			r.add(r.line, "creation date", "%v", err)
		}
	}
	if len(rs) >= 40 {
		if s := string(rs[30:40]); !isDigits(s) {
			r.add(r.line, "client number", "%q is not numeric (10 digits, characters 31–40)", s)
		}
	}
	if len(rs) >= 46 {
		s, e := string(rs[40:43]), string(rs[43:46])
		switch {
		case !isDigits(s) || !isDigits(e):
			r.add(r.line, "interval", "%q is not an accounting-file interval (two 3-digit numbers, characters 41–46)", s+e)
		case atoi(s) > atoi(e):
			r.add(r.line, "interval", "the accounting-file interval %s–%s starts after it ends", s, e)
		default:
			r.interval = interval{ok: true, start: atoi(s), end: atoi(e), line: r.line}
		}
	}
	if len(rs) >= 58 {
		if s := string(rs[46:58]); !isDigits(s) {
			r.add(r.line, "data protection code", "%q is not numeric (12 digits, characters 47–58; 000000000000 when unused)", s)
		}
	}
}

// accHeader reads record 1: "1 DDDD SSSPPP BBBB" (§3.2).
func (r *Reader) accHeader(toks []string, total int, tail, rec string) {
	if r.grp != nil {
		r.closeGroup(fmt.Sprintf("found an accounting file header at line %d", r.line))
	}
	if r.acc != nil {
		r.add(r.acc.line, "record 5", "the accounting file is not closed by \"5 +\" (found a new accounting file header at line %d)", r.line)
	}
	a := &accFile{line: r.line}
	r.acc = a
	r.accFiles++
	if total != 4 || tail != "" {
		r.add(r.line, "record 1", "expected \"1 DDDD SSSPPP BBBB\" (data type, sequence number and branch, bank code), found %q", clip(rec))
	}
	if len(toks) > 1 {
		switch dt := toks[1]; dt {
		case "1501":
		case "1502":
			r.add(r.line, "data type", "collection orders (1502) are not supported: this file would debit other people's accounts")
		case "1503": // ČSOB: priority payment
			a.priority = formats.PriorityHigh
		case "1504": // ČSOB: instant payment
			a.priority = formats.PriorityInstant
		default:
			r.add(r.line, "data type", "%q is not a payment order data type (1501 payments; ČSOB also 1503 priority, 1504 instant)", dt)
		}
	}
	if len(toks) > 2 {
		sp := toks[2]
		switch {
		case len(sp) != 6 || !isDigits(sp):
			r.add(r.line, "sequence number", "%q is not SSSPPP (3-digit accounting-file sequence number, 3-digit branch)", sp)
		case r.interval.ok && (atoi(sp[:3]) < r.interval.start || atoi(sp[:3]) > r.interval.end):
			r.add(r.line, "sequence number", "%s is outside the interval %03d–%03d declared in UHL1 at line %d",
				sp[:3], r.interval.start, r.interval.end, r.interval.line)
		}
	}
	if len(toks) > 3 {
		bank, err := parseBankCode(toks[3])
		if err != nil {
			r.add(r.line, "bank code", "%v", err)
		}
		a.bank = bank
	}
}

// groupHeader reads record 2 in its bulk form "2 PAYER SUM DDMMRR" or its
// single-order form "2 SUM DDMMRR" (§3.3).
func (r *Reader) groupHeader(toks []string, total int, tail, rec string) {
	if r.grp != nil {
		r.closeGroup(fmt.Sprintf("found a new group header at line %d", r.line))
	}
	if r.acc == nil {
		r.add(r.line, "record 2", "group header outside an accounting file (no \"1 …\" header before it)")
	}
	r.groups++
	g := &group{
		batch: &formats.Batch{ID: "G" + strconv.Itoa(r.groups), Pos: formats.Pos{Line: r.line}},
		line:  r.line,
		sumOK: true,
	}
	r.grp = g
	args := toks[1:]
	if total > 4 || total < 3 || tail != "" {
		r.add(r.line, "record 2", "expected \"2 [payer account] sum DDMMRR\", found %q", clip(rec))
	}
	switch {
	case len(args) >= 3:
		g.form = formBulk
		g.debtor = r.debtor(args[0], "payer account")
		args = args[1:3]
	case len(args) == 2:
		g.form = formSingle
	default:
		g.sumOK = false
		return
	}
	sum, err := parseSumHalere(args[0])
	if err != nil {
		r.add(r.line, "group sum", "%v", err)
		g.sumOK = false
	}
	g.declared = sum
	d, err := parseDueDate(args[1])
	if err != nil {
		r.add(r.line, "due date", "%v", err)
	}
	g.date = d
}

// debtor reads a payer account, whose bank is the accounting file's.
func (r *Reader) debtor(tok, field string) formats.Account {
	a, err := parseAccount(tok)
	if err != nil {
		r.add(r.line, field, "%v", err)
		return formats.Account{}
	}
	bank := ""
	if r.acc != nil {
		bank = r.acc.bank
	}
	switch {
	case a.bank != "" && bank != "" && a.bank != bank:
		r.add(r.line, field, "bank code %s after '/' differs from the accounting file's bank code %s (line %d)", a.bank, bank, r.acc.line)
	case bank == "":
		bank = a.bank
	}
	return czAccount(a.number, bank)
}

// groupEnd reads "3 +" or "3+".
func (r *Reader) groupEnd(toks []string, total int, tail, rec string) {
	if !closing(toks, total, tail, "3") {
		r.add(r.line, "record 3", "expected \"3 +\", found %q", clip(rec))
	}
	if r.grp == nil {
		r.add(r.line, "record 3", "\"3 +\" without a group header (\"2 …\") before it")
		return
	}
	r.closeGroup("")
}

// accEnd reads "5 +" or "5+".
func (r *Reader) accEnd(toks []string, total int, tail, rec string) {
	if !closing(toks, total, tail, "5") {
		r.add(r.line, "record 5", "expected \"5 +\", found %q", clip(rec))
	}
	if r.grp != nil {
		r.closeGroup(fmt.Sprintf("found \"5 +\" at line %d", r.line))
	}
	if r.acc == nil {
		r.add(r.line, "record 5", "\"5 +\" without an accounting file header (\"1 …\") before it")
	}
	r.acc = nil
	r.afterEnd = true
}

// closing reports whether a record is "T +" or "T+".
func closing(toks []string, total int, tail, t string) bool {
	if tail != "" {
		return false
	}
	return (total == 2 && toks[0] == t && toks[1] == "+") || (total == 1 && toks[0] == t+"+")
}

// closeGroup ends the open group and checks its sum. missing says what came
// instead of "3 +", or is empty when the group was closed properly.
func (r *Reader) closeGroup(missing string) {
	g := r.grp
	r.grp = nil
	if missing != "" {
		r.add(g.line, "record 3", "the group is not closed by \"3 +\" (%s)", missing)
	}
	switch {
	case g.items == 0:
		r.add(g.line, "record 2", "the group has no payment orders")
	case g.sumOK && g.sum != g.declared:
		r.add(g.line, "group sum", "the group header declares %s, but its payment orders add up to %s",
			czk(g.declared), czk(g.sum))
	}
}

func czk(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "CZK"} }

// item reads a payment order (§3.4) in the form its group declares.
func (r *Reader) item(toks []string, total int, tail string) *formats.Payment {
	g := r.grp
	if g == nil {
		r.add(r.line, "item", "payment order outside a group (no \"2 …\" group header before it)")
	}
	form := formUnknown
	if g != nil {
		form = g.form
	}
	if form == formUnknown { // no usable group header: guess from the shape
		form = formBulk
		if total == 6 {
			form = formSingle
		}
	}
	p := &formats.Payment{Index: r.index, Pos: formats.Pos{Line: r.line}}
	if r.acc != nil {
		p.Priority = r.acc.priority
	}
	if g != nil {
		p.Batch = g.batch
		p.RequestedDate = g.date
		p.DebtorAccount = g.debtor
	}

	fields := toks
	minN, maxN, layout := 4, 5, "creditor-account amount VS bank+KS [SS]"
	if form == formSingle {
		minN, maxN, layout = 5, 6, "debtor-account creditor-account amount VS bank+KS [SS]"
		if len(fields) > 0 {
			p.DebtorAccount = r.debtor(fields[0], "debtor account")
			fields = fields[1:]
		}
	}
	switch {
	case total < minN:
		r.add(r.line, "item", "has %d fields before the message; expected %d or %d: %s AV:message", total, minN, maxN, layout)
	case total > maxN:
		r.add(r.line, "item", "unexpected %q after the SS (a message must start with \"AV:\")", toks[maxN])
	}
	if len(fields) > 5 { // creditor, amount, VS, bank+KS, SS; the extra was reported
		fields = fields[:5]
	}

	var credit account
	creditOK := false
	if len(fields) > 0 {
		a, err := parseAccount(fields[0])
		if err != nil {
			r.add(r.line, "creditor account", "%v", err)
		} else {
			credit, creditOK = a, true
		}
	}
	amountOK := false
	if len(fields) > 1 {
		v, err := parseHalere(fields[1])
		if err != nil {
			r.add(r.line, "amount", "%v", err)
		} else {
			p.Amount, amountOK = czk(v), true
		}
	}
	if len(fields) > 2 {
		vs, err := parseSymbol(fields[2])
		if err != nil {
			r.add(r.line, "VS", "%v", err)
		}
		p.Remittance.VS = vs
	}
	bank := ""
	if len(fields) > 3 {
		b, ks, err := parseBankKS(fields[3])
		if err != nil {
			r.add(r.line, "bank code/KS", "%v", err)
		}
		bank, p.Remittance.KS = b, ks
	}
	if len(fields) > 4 {
		ss, err := parseSymbol(fields[4])
		if err != nil {
			r.add(r.line, "SS", "%v", err)
		}
		p.Remittance.SS = ss
	}
	if creditOK {
		switch {
		case credit.bank != "" && bank != "" && credit.bank != bank:
			r.add(r.line, "creditor account", "bank code %s after '/' differs from bank code %s in the bank code/KS field", credit.bank, bank)
		case bank == "":
			bank = credit.bank
		}
		p.CreditorAccount = czAccount(credit.number, bank)
	}
	p.DebtorAgent.BankCode = p.DebtorAccount.BankCode
	p.CreditorAgent.BankCode = bank
	p.Remittance.Unstructured, p.Creditor.Name = r.message(tail)

	r.account(g, p, amountOK)
	if g == nil {
		return nil
	}
	return p
}

// message splits the tail "AV:text [NP:name]" (or "NP:name") and trims both.
// The last " NP:" starts the name: a payee name is short and never holds one.
func (r *Reader) message(tail string) (msg, name string) {
	switch {
	case strings.HasPrefix(tail, "AV:"):
		msg = tail[3:]
		if i := strings.LastIndex(msg, " NP:"); i >= 0 {
			msg, name = msg[:i], msg[i+4:]
		}
	case strings.HasPrefix(tail, "NP:"):
		name = tail[3:]
	}
	msg, name = strings.TrimSpace(msg), strings.TrimSpace(name)
	if n := utf8.RuneCountInString(msg); n > maxMessageChars {
		r.add(r.line, "AV", "the message has %d characters; at most %d are allowed", n, maxMessageChars)
	}
	return msg, name
}

// account adds an item to its group's sum and to the file total, and counts
// it. An unreadable amount makes the group sum uncheckable rather than wrong.
func (r *Reader) account(g *group, p *formats.Payment, amountOK bool) {
	if g != nil {
		g.items++
		r.index++
		if !amountOK {
			g.sumOK = false
		} else if g.sumOK {
			if g.sum > math.MaxInt64-p.Amount.Minor {
				g.sumOK = false
				r.add(r.line, "group sum", "the group's payment orders add up to more than %s", czk(math.MaxInt64))
			} else {
				g.sum += p.Amount.Minor
			}
		}
	}
	if g == nil || !amountOK || r.totalBad {
		return
	}
	if r.total > math.MaxInt64-p.Amount.Minor {
		r.totalBad = true
		r.add(r.line, "total", "the file's payment orders add up to more than %s", czk(math.MaxInt64))
		return
	}
	r.total += p.Amount.Minor
}
