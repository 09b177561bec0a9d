package bank

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Limits of the camt.053 reader besides MaxInputSize.
const (
	maxXMLDepth = 64       // nested elements; a statement needs about 15
	maxXMLText  = 64 << 10 // characters of one element's text
	camtNSBase  = "urn:iso:std:iso:20022:tech:xsd:"
	camtPrefix  = "camt.053."
)

// ParseCamt053 reads an ISO 20022 BankToCustomerStatement (camt.053, versions
// .001.02 to .001.08 and later ones of the same shape) holding exactly one
// statement (Stmt). Elements are matched by their local name whatever their
// namespace or prefix, in one pass over the stream (tokens from the
// streaming tokenizer in xmlscan.go, no document tree), so memory grows
// with the transactions, not the file; a file has at most MaxInputSize
// bytes, 64 levels of elements and 1,000,000 transactions.
//
// What it takes:
//   - Account: Acct/Id/IBAN, else Acct/Id/Othr/Id; Currency: Acct/Ccy, else
//     the balances' Ccy; Number: LglSeqNb, else ElctrncSeqNb, else Stmt/Id.
//   - Balances: Bal with Tp/CdOrPrtry/Cd OPBD (or PRCD, which Czech banks
//     use for the opening balance) and CLBD, signed by CdtDbtInd.
//   - Entries (Ntry) whose Sts is BOOK, as text (.02) or <Sts><Cd> (.08);
//     PDNG, INFO and any other status are counted but not booked. An
//     entry's amount is signed by CdtDbtInd (CRDT +, DBIT −); RvslInd marks
//     a reversal (its CdtDbtInd already says which way the money goes).
//     Its key is AcctSvcrRef (NtryRef when a bank gives none); two booked
//     transactions with one key reject the file.
//   - Symbols from TxDtls/Refs/EndToEndId "/VS…/SS…/KS…" (parts may be
//     empty; NOTPROVIDED or any other text gives none), else the variable
//     symbol from RmtInf/Strd/CdtrRefInf/Ref when it is digits (zero-padded
//     as some banks write it) or itself "/VS…".
//   - Message: RmtInf/Ustrd (several joined by a space), else AddtlTxInf,
//     else AddtlNtryInf. Counter-party: the debtor of a credit, the
//     creditor of a debit (the other way round for a reversal), name and
//     account (IBAN, else Othr/Id completed with the agent's 4-digit bank
//     code when it has none).
//   - An entry with several TxDtls becomes one transaction each, with its
//     own AmtDtls/TxAmt/Amt (else TxDtls/Amt) and symbols, keyed
//     AcctSvcrRef/1, /2, …; their signed amounts must add up to the entry's.
//
// Checks: amounts are decimal strings with at most 2 decimals (converted
// exactly, never through a float); every entry has a status, and a booked
// one an amount, CRDT/DBIT, a booking (or value) date and a key; opening +
// credits − debits = closing over the booked entries when both balances
// are there; TxsSummry/TtlNtries/NbOfNtries, when there, equals the number
// of entries (all of them, or the booked ones); an entry in another currency
// than the account's is refused.
func ParseCamt053(r io.Reader) (*Statement, error) {
	return parseCamt053(r, MaxInputSize)
}

func parseCamt053(r io.Reader, limit int64) (*Statement, error) {
	sc := newXMLScanner(&capReader{r: r, n: limit})
	if sc.ensure(len(utf8BOM)) && bytes.HasPrefix(sc.buf[sc.pos:sc.n], utf8BOM) {
		sc.pos += len(utf8BOM)
	}
	return parseCamtTokens(sc)
}

// parseCamtTokens reads a statement from any token source (the scanner;
// encoding/xml in the tests, to compare).
func parseCamtTokens(src xmlSource) (*Statement, error) {
	p := camtParser{src: src, refs: make(map[string]struct{})}
	return p.run()
}

// camtField is the element whose text is a value the parser keeps.
type camtField uint8

const (
	fNone camtField = iota
	fStmtID
	fLglSeqNb
	fElctrncSeqNb
	fAcctIBAN
	fAcctOthr
	fAcctCcy
	fBalType
	fBalAmt
	fBalCdi
	fNbOfNtries
	fNtryAmt
	fNtryCdi
	fNtryRvsl
	fNtrySts
	fNtryBookDt
	fNtryValDt
	fNtryRef
	fNtryNtryRef
	fNtryAddtl
	fTxE2E
	fTxAmtDtls
	fTxAmt
	fTxCdi
	fTxDbtrNm
	fTxDbtrIBAN
	fTxDbtrOthr
	fTxDbtrAgt
	fTxCdtrNm
	fTxCdtrIBAN
	fTxCdtrOthr
	fTxCdtrAgt
	fTxUstrd
	fTxCdtrRef
	fTxAddtl
)

// camtEvent is what the start and the end of an element do.
type camtEvent uint8

const (
	evNone camtEvent = iota
	evStmt
	evBal
	evNtry
	evTxDtls
)

// camtNode is one element of the paths the parser follows; an element
// outside them is skipped with its whole subtree.
type camtNode struct {
	children map[string]*camtNode
	field    camtField
	event    camtEvent
}

func (n *camtNode) add(path string, f camtField, ev camtEvent) *camtNode {
	for _, name := range strings.Split(path, "/") {
		if n.children == nil {
			n.children = map[string]*camtNode{}
		}
		c := n.children[name]
		if c == nil {
			c = &camtNode{}
			n.children[name] = c
		}
		n = c
	}
	if f != fNone {
		n.field = f
	}
	if ev != evNone {
		n.event = ev
	}
	return n
}

// camtRoot is the document node: Document/BkToCstmrStmt/Stmt/….
var camtRoot = func() *camtNode {
	root := &camtNode{}
	stmt := root.add("Document/BkToCstmrStmt/Stmt", fNone, evStmt)
	for _, p := range []struct {
		path string
		f    camtField
	}{
		{"Id", fStmtID}, {"LglSeqNb", fLglSeqNb}, {"ElctrncSeqNb", fElctrncSeqNb},
		{"Acct/Id/IBAN", fAcctIBAN}, {"Acct/Id/Othr/Id", fAcctOthr}, {"Acct/Ccy", fAcctCcy},
		{"Bal/Tp/CdOrPrtry/Cd", fBalType}, {"Bal/Tp/Cd", fBalType},
		{"Bal/Amt", fBalAmt}, {"Bal/CdtDbtInd", fBalCdi},
		{"TxsSummry/TtlNtries/NbOfNtries", fNbOfNtries},
		{"Ntry/Amt", fNtryAmt}, {"Ntry/CdtDbtInd", fNtryCdi}, {"Ntry/RvslInd", fNtryRvsl},
		{"Ntry/Sts", fNtrySts}, {"Ntry/Sts/Cd", fNtrySts}, {"Ntry/Sts/Prtry", fNtrySts},
		{"Ntry/BookgDt/Dt", fNtryBookDt}, {"Ntry/BookgDt/DtTm", fNtryBookDt},
		{"Ntry/ValDt/Dt", fNtryValDt}, {"Ntry/ValDt/DtTm", fNtryValDt},
		{"Ntry/AcctSvcrRef", fNtryRef}, {"Ntry/NtryRef", fNtryNtryRef}, {"Ntry/AddtlNtryInf", fNtryAddtl},
	} {
		stmt.add(p.path, p.f, evNone)
	}
	stmt.add("Bal", fNone, evBal)
	stmt.add("Ntry", fNone, evNtry)
	tx := stmt.add("Ntry/NtryDtls/TxDtls", fNone, evTxDtls)
	for _, p := range []struct {
		path string
		f    camtField
	}{
		{"Refs/EndToEndId", fTxE2E}, {"AmtDtls/TxAmt/Amt", fTxAmtDtls}, {"Amt", fTxAmt}, {"CdtDbtInd", fTxCdi},
		{"RltdPties/Dbtr/Nm", fTxDbtrNm}, {"RltdPties/Dbtr/Pty/Nm", fTxDbtrNm},
		{"RltdPties/DbtrAcct/Id/IBAN", fTxDbtrIBAN}, {"RltdPties/DbtrAcct/Id/Othr/Id", fTxDbtrOthr},
		{"RltdPties/Cdtr/Nm", fTxCdtrNm}, {"RltdPties/Cdtr/Pty/Nm", fTxCdtrNm},
		{"RltdPties/CdtrAcct/Id/IBAN", fTxCdtrIBAN}, {"RltdPties/CdtrAcct/Id/Othr/Id", fTxCdtrOthr},
		{"RltdAgts/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId", fTxDbtrAgt}, {"RltdAgts/DbtrAgt/FinInstnId/Othr/Id", fTxDbtrAgt},
		{"RltdAgts/CdtrAgt/FinInstnId/ClrSysMmbId/MmbId", fTxCdtrAgt}, {"RltdAgts/CdtrAgt/FinInstnId/Othr/Id", fTxCdtrAgt},
		{"RmtInf/Ustrd", fTxUstrd}, {"RmtInf/Strd/CdtrRefInf/Ref", fTxCdtrRef}, {"AddtlTxInf", fTxAddtl},
	} {
		tx.add(p.path, p.f, evNone)
	}
	return root
}()

// camtBalance is one Bal element being read.
type camtBalance struct {
	typ, amt, ccy, cdi string
}

// camtAmount is a balance when ok.
type camtAmount struct {
	v  int64
	ok bool
}

// camtEntry is one Ntry element being read.
type camtEntry struct {
	amt, ccy, cdi, rvsl, sts, booked, value, ref, ntryRef, addtl string
	txs                                                          []camtTx
}

// camtTx is one TxDtls element being read.
type camtTx struct {
	e2e, amtDtls, amtDtlsCcy, amt, amtCcy, cdi string
	dbtrNm, dbtrIBAN, dbtrOthr, dbtrAgt        string
	cdtrNm, cdtrIBAN, cdtrOthr, cdtrAgt        string
	ustrd, cdtrRef, addtl                      string
}

type camtFrame struct {
	name, local [2]int    // the element's name and local name in camtParser.names
	node        *camtNode // nil outside the followed paths
}

type camtParser struct {
	src   xmlSource
	stack []camtFrame
	names []byte // the open elements' names, one after another
	text  []byte
	ccy   string // Ccy attribute of the Amt being read

	st                      Statement
	stmts                   int
	number, elctrnc, stmtID string
	iban, othr              string
	opbd, prcd, clbd        camtAmount
	nbOfNtries              string
	bal                     camtBalance
	e                       camtEntry
	entries, booked         int
	sum, credits, debits    int64
	refs                    map[string]struct{}
	rootSeen, rootClosed    bool
}

func (p *camtParser) run() (*Statement, error) {
	for {
		tok, err := p.src.next()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case xmlEOF:
			if !p.rootSeen {
				return nil, fmt.Errorf("%w: camt.053: no XML document element", ErrFormat)
			}
			if len(p.stack) > 0 {
				return nil, p.errf("the file ends inside <%s>", p.localName(len(p.stack)-1))
			}
			return p.finish()
		case xmlStart:
			if err := p.start(tok); err != nil {
				return nil, err
			}
		case xmlEnd:
			if err := p.end(tok); err != nil {
				return nil, err
			}
		case xmlText:
			if n := len(p.stack); n > 0 {
				if top := p.stack[n-1].node; top != nil && top.field != fNone {
					if len(p.text)+len(tok.text) > maxXMLText {
						return nil, p.errf("the text of <%s> is longer than %d bytes", p.localName(n-1), maxXMLText)
					}
					p.text = append(p.text, tok.text...)
				}
			} else if len(trimSpaceLeft(tok.text)) > 0 {
				return nil, p.errf("text outside the document element")
			}
		}
	}
}

func (p *camtParser) localName(i int) string {
	l := p.stack[i].local
	return string(p.names[l[0]:l[1]])
}

func (p *camtParser) errf(format string, args ...any) error {
	return fmt.Errorf("%w: camt.053 line %d: %s", ErrFormat, p.src.line(), fmt.Sprintf(format, args...))
}

func (p *camtParser) start(t xmlTok) error {
	if len(p.stack) >= maxXMLDepth {
		return p.errf("elements nested deeper than %d", maxXMLDepth)
	}
	var node *camtNode
	if len(p.stack) == 0 {
		if p.rootClosed {
			return p.errf("a second document element <%s>", clip(t.local))
		}
		p.rootSeen = true
		if string(t.local) != "Document" {
			return p.errf("the document element is <%s>, not <Document>", clip(t.local))
		}
		if err := p.namespace(t); err != nil {
			return err
		}
		node = camtRoot.children["Document"]
	} else if parent := p.stack[len(p.stack)-1].node; parent != nil {
		node = parent.children[string(t.local)]
	}
	off := len(p.names)
	p.names = append(p.names, t.name...)
	localOff := off + len(t.name) - len(t.local)
	p.stack = append(p.stack, camtFrame{name: [2]int{off, len(p.names)}, local: [2]int{localOff, len(p.names)}, node: node})
	p.text = p.text[:0]
	if node == nil {
		return nil
	}
	switch node.event {
	case evStmt:
		p.stmts++
		if p.stmts > 1 {
			return p.errf("more than one statement (Stmt) in the file")
		}
	case evBal:
		p.bal = camtBalance{}
	case evNtry:
		txs := p.e.txs[:0]
		p.e = camtEntry{txs: txs}
	case evTxDtls:
		p.e.txs = append(p.e.txs, camtTx{})
	}
	if node.field == fBalAmt || node.field == fNtryAmt || node.field == fTxAmtDtls || node.field == fTxAmt {
		p.ccy = ""
		for _, a := range t.attrs {
			if string(a.local) == "Ccy" {
				p.ccy = string(a.value)
			}
		}
	}
	return nil
}

// namespace sets Format from the document element's namespace and refuses
// another ISO 20022 message.
func (p *camtParser) namespace(t xmlTok) error {
	p.st.Format = "camt.053"
	for _, a := range t.attrs {
		if !(len(a.space) == 0 && string(a.local) == "xmlns") && string(a.space) != "xmlns" {
			continue
		}
		msg, ok := strings.CutPrefix(strings.TrimSpace(string(a.value)), camtNSBase)
		if !ok {
			continue
		}
		if !strings.HasPrefix(msg, camtPrefix) {
			return p.errf("the namespace names %s, not a camt.053 statement", msg)
		}
		if len(msg) > 40 {
			msg = msg[:40]
		}
		p.st.Format = msg
	}
	return nil
}

func (p *camtParser) end(t xmlTok) error {
	n := len(p.stack)
	if n == 0 {
		return p.errf("an end tag </%s> without its start", clip(t.name))
	}
	top := p.stack[n-1]
	if !bytes.Equal(p.names[top.name[0]:top.name[1]], t.name) {
		return p.errf("</%s> closes <%s>", clip(t.name), p.names[top.name[0]:top.name[1]])
	}
	p.stack = p.stack[:n-1]
	p.names = p.names[:top.name[0]]
	if n == 1 {
		p.rootClosed = true
	}
	node := top.node
	if node == nil {
		return nil
	}
	if node.field != fNone {
		v := string(bytes.TrimSpace(p.text))
		p.text = p.text[:0]
		if v != "" {
			p.set(node.field, v)
		}
	}
	switch node.event {
	case evBal:
		return p.endBalance()
	case evNtry:
		return p.endEntry()
	}
	return nil
}

// set keeps the value of a field; a repeated element keeps its first value
// except Ustrd, whose lines are joined.
func (p *camtParser) set(f camtField, v string) {
	first := func(dst *string) {
		if *dst == "" {
			*dst = v
		}
	}
	var tx *camtTx
	if f >= fTxE2E && len(p.e.txs) > 0 {
		tx = &p.e.txs[len(p.e.txs)-1]
	}
	switch f {
	case fStmtID:
		first(&p.stmtID)
	case fLglSeqNb:
		first(&p.number)
	case fElctrncSeqNb:
		first(&p.elctrnc)
	case fAcctIBAN:
		first(&p.iban)
	case fAcctOthr:
		first(&p.othr)
	case fAcctCcy:
		first(&p.st.Currency)
	case fBalType:
		first(&p.bal.typ)
	case fBalAmt:
		first(&p.bal.amt)
		if p.bal.ccy == "" {
			p.bal.ccy = p.ccy
		}
	case fBalCdi:
		first(&p.bal.cdi)
	case fNbOfNtries:
		first(&p.nbOfNtries)
	case fNtryAmt:
		first(&p.e.amt)
		if p.e.ccy == "" {
			p.e.ccy = p.ccy
		}
	case fNtryCdi:
		first(&p.e.cdi)
	case fNtryRvsl:
		first(&p.e.rvsl)
	case fNtrySts:
		first(&p.e.sts)
	case fNtryBookDt:
		first(&p.e.booked)
	case fNtryValDt:
		first(&p.e.value)
	case fNtryRef:
		first(&p.e.ref)
	case fNtryNtryRef:
		first(&p.e.ntryRef)
	case fNtryAddtl:
		first(&p.e.addtl)
	}
	if tx == nil {
		return
	}
	switch f {
	case fTxE2E:
		first(&tx.e2e)
	case fTxAmtDtls:
		first(&tx.amtDtls)
		if tx.amtDtlsCcy == "" {
			tx.amtDtlsCcy = p.ccy
		}
	case fTxAmt:
		first(&tx.amt)
		if tx.amtCcy == "" {
			tx.amtCcy = p.ccy
		}
	case fTxCdi:
		first(&tx.cdi)
	case fTxDbtrNm:
		first(&tx.dbtrNm)
	case fTxDbtrIBAN:
		first(&tx.dbtrIBAN)
	case fTxDbtrOthr:
		first(&tx.dbtrOthr)
	case fTxDbtrAgt:
		first(&tx.dbtrAgt)
	case fTxCdtrNm:
		first(&tx.cdtrNm)
	case fTxCdtrIBAN:
		first(&tx.cdtrIBAN)
	case fTxCdtrOthr:
		first(&tx.cdtrOthr)
	case fTxCdtrAgt:
		first(&tx.cdtrAgt)
	case fTxUstrd:
		if tx.ustrd == "" {
			tx.ustrd = v
		} else if len(tx.ustrd) < maxXMLText {
			tx.ustrd += " " + v
		}
	case fTxCdtrRef:
		first(&tx.cdtrRef)
	case fTxAddtl:
		first(&tx.addtl)
	}
}

func (p *camtParser) endBalance() error {
	b := p.bal
	var dst *camtAmount
	switch b.typ {
	case "OPBD":
		dst = &p.opbd
	case "PRCD":
		dst = &p.prcd
	case "CLBD":
		dst = &p.clbd
	default:
		return nil // other balance types (ITBD, CLAV, FWAV …) are not checked
	}
	if dst.ok {
		return p.errf("two %s balances", b.typ)
	}
	v, ok := parseAmount(b.amt)
	if !ok {
		return p.errf("balance %s: amount %q is not a decimal with at most 2 decimals", b.typ, b.amt)
	}
	switch b.cdi {
	case "CRDT":
	case "DBIT":
		v = -v
	default:
		return p.errf("balance %s: CdtDbtInd %q is neither CRDT nor DBIT", b.typ, b.cdi)
	}
	if err := p.currency(b.ccy, "balance "+b.typ); err != nil {
		return err
	}
	*dst = camtAmount{v: v, ok: true}
	return nil
}

// currency checks an amount's Ccy against the statement's currency (the
// first one seen when the account names none).
func (p *camtParser) currency(ccy, what string) error {
	if ccy == "" {
		return nil
	}
	if p.st.Currency == "" {
		p.st.Currency = ccy
		return nil
	}
	if ccy != p.st.Currency {
		return p.errf("%s is in %s, the statement in %s", what, ccy, p.st.Currency)
	}
	return nil
}

func (p *camtParser) endEntry() error {
	p.entries++
	e := &p.e
	ref := e.ref
	if ref == "" {
		ref = e.ntryRef
	}
	entryErr := func(format string, args ...any) error {
		where := fmt.Sprintf("entry %d", p.entries)
		if ref != "" {
			where += fmt.Sprintf(" (%s)", ref)
		}
		return p.errf("%s: %s", where, fmt.Sprintf(format, args...))
	}
	if e.sts == "" {
		return entryErr("no status (Sts)")
	}
	if e.sts != "BOOK" {
		return nil
	}
	p.booked++
	amount, ok := parseAmount(e.amt)
	if !ok {
		return entryErr("amount %q is not a decimal with at most 2 decimals", e.amt)
	}
	var credit bool
	switch e.cdi {
	case "CRDT":
		credit = true
	case "DBIT":
	default:
		return entryErr("CdtDbtInd %q is neither CRDT nor DBIT", e.cdi)
	}
	if err := p.currency(e.ccy, fmt.Sprintf("entry %d", p.entries)); err != nil {
		return err
	}
	reversal := false
	switch e.rvsl {
	case "", "false", "0":
	case "true", "1":
		reversal = true
	default:
		return entryErr("RvslInd %q is not a boolean", e.rvsl)
	}
	day := e.booked
	if day == "" {
		day = e.value
	}
	booked, ok := parseISODate(day)
	if !ok {
		return entryErr("booking date %q is not a date", day)
	}
	if ref == "" {
		return entryErr("no AcctSvcrRef")
	}
	signed := amount
	if !credit {
		signed = -amount
	}
	p.sum += signed
	if credit {
		p.credits += amount
	} else {
		p.debits += amount
	}
	if p.credits > 1e17 || p.debits > 1e17 {
		return entryErr("the amounts add up beyond any statement")
	}

	base := Transaction{Booked: booked, Reversal: reversal}
	if len(e.txs) <= 1 {
		t := base
		t.Ref = ref
		t.Amount = signed
		if len(e.txs) == 1 {
			fillTx(&t, &e.txs[0], credit != reversal)
		}
		if t.Message == "" {
			t.Message = e.addtl
		}
		return p.add(t, entryErr)
	}
	var parts int64
	for i := range e.txs {
		tx := &e.txs[i]
		amt, ccy := tx.amtDtls, tx.amtDtlsCcy
		if amt == "" {
			amt, ccy = tx.amt, tx.amtCcy
		}
		v, ok := parseAmount(amt)
		if !ok {
			return entryErr("transaction %d of the batch: amount %q is not a decimal with at most 2 decimals", i+1, amt)
		}
		if ccy != "" && e.ccy != "" && ccy != e.ccy {
			return entryErr("transaction %d of the batch is in %s, the entry in %s", i+1, ccy, e.ccy)
		}
		txCredit := credit
		switch tx.cdi {
		case "":
		case "CRDT":
			txCredit = true
		case "DBIT":
			txCredit = false
		default:
			return entryErr("transaction %d of the batch: CdtDbtInd %q is neither CRDT nor DBIT", i+1, tx.cdi)
		}
		if !txCredit {
			v = -v
		}
		parts += v
		t := base
		t.Ref = ref + "/" + strconv.Itoa(i+1)
		t.Amount = v
		fillTx(&t, tx, txCredit != reversal)
		if t.Message == "" {
			t.Message = e.addtl
		}
		if err := p.add(t, entryErr); err != nil {
			return err
		}
	}
	if parts != signed {
		return entryErr("its %d transactions add up to %s, the entry is %s", len(e.txs), formatHalere(parts), formatHalere(signed))
	}
	return nil
}

func (p *camtParser) add(t Transaction, entryErr func(string, ...any) error) error {
	if _, dup := p.refs[t.Ref]; dup {
		return entryErr("reference %s appears twice in the statement", t.Ref)
	}
	if len(p.refs) >= maxTransactions {
		return entryErr("more than %d transactions", maxTransactions)
	}
	p.refs[t.Ref] = struct{}{}
	p.st.Transactions = append(p.st.Transactions, t)
	return nil
}

// fillTx copies the symbols, the message and the counter-party of tx into
// t; payerSide says the counter-party is the debtor (money came in).
func fillTx(t *Transaction, tx *camtTx, payerSide bool) {
	vs, ss, ks, ok := parseSymbols(tx.e2e)
	if ok {
		t.VS, t.SS, t.KS = vs, ss, ks
	}
	if t.VS == 0 && tx.cdtrRef != "" {
		if v, ok := parseDigits(tx.cdtrRef, 10); ok {
			t.VS = v
		} else if v, _, _, ok := parseSymbols(tx.cdtrRef); ok {
			t.VS = v
		}
	}
	t.Message = tx.ustrd
	if t.Message == "" {
		t.Message = tx.addtl
	}
	dNm, dAcc := tx.dbtrNm, account(tx.dbtrIBAN, tx.dbtrOthr, tx.dbtrAgt)
	cNm, cAcc := tx.cdtrNm, account(tx.cdtrIBAN, tx.cdtrOthr, tx.cdtrAgt)
	if !payerSide {
		dNm, dAcc, cNm, cAcc = cNm, cAcc, dNm, dAcc
	}
	t.CounterName, t.CounterAccount = dNm, dAcc
	if t.CounterName == "" && t.CounterAccount == "" {
		t.CounterName, t.CounterAccount = cNm, cAcc
	}
}

// account is the IBAN, else the other identification with the agent's
// bank code appended when it is a bare domestic number.
func account(iban, othr, agent string) string {
	if iban != "" {
		return iban
	}
	if othr != "" && !strings.Contains(othr, "/") && len(agent) == 4 && allDigits(agent) {
		return othr + "/" + agent
	}
	return othr
}

// parseSymbols reads "/VS123/SS/KS0308" (any order, each at most once,
// digits possibly empty). ok is false for anything else, NOTPROVIDED
// included.
func parseSymbols(s string) (vs, ss, ks int64, ok bool) {
	if len(s) < 3 || s[0] != '/' {
		return 0, 0, 0, false
	}
	var seen [3]bool
	for part := range strings.SplitSeq(s[1:], "/") {
		if len(part) < 2 {
			return 0, 0, 0, false
		}
		var i int
		switch part[:2] {
		case "VS":
			i = 0
		case "SS":
			i = 1
		case "KS":
			i = 2
		default:
			return 0, 0, 0, false
		}
		if seen[i] {
			return 0, 0, 0, false
		}
		seen[i] = true
		var v int64
		if digits := part[2:]; digits != "" {
			var good bool
			if v, good = parseDigits(digits, 10); !good {
				return 0, 0, 0, false
			}
		}
		switch i {
		case 0:
			vs = v
		case 1:
			ss = v
		case 2:
			ks = v
		}
	}
	return vs, ss, ks, true
}

// parseISODate reads "2026-03-02", optionally followed by a zone
// ("Z", "+01:00") or a time ("T10:15:00+01:00"): the day as the bank
// wrote it, at UTC midnight.
func parseISODate(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if len(s) > 10 && !strings.ContainsRune("TZ+-", rune(s[10])) {
		return time.Time{}, false
	}
	y, m, d := s[:4], s[5:7], s[8:10]
	if !allDigits(y) || !allDigits(m) || !allDigits(d) {
		return time.Time{}, false
	}
	if !validDate(atoi(y), atoi(m), atoi(d)) {
		return time.Time{}, false
	}
	return date(atoi(y), time.Month(atoi(m)), atoi(d)), true
}

func (p *camtParser) finish() (*Statement, error) {
	if p.stmts == 0 {
		return nil, fmt.Errorf("%w: camt.053: no statement (Document/BkToCstmrStmt/Stmt)", ErrFormat)
	}
	st := &p.st
	st.Account = p.iban
	if st.Account == "" {
		st.Account = p.othr
	}
	if st.Account == "" {
		return nil, fmt.Errorf("%w: camt.053: the statement names no account (Acct/Id)", ErrFormat)
	}
	st.Number = p.number
	if st.Number == "" {
		st.Number = p.elctrnc
	}
	if st.Number == "" {
		st.Number = p.stmtID
	}
	opening := p.opbd
	if !opening.ok {
		opening = p.prcd
	}
	if opening.ok && p.clbd.ok {
		if opening.v+p.sum != p.clbd.v {
			return nil, fmt.Errorf("%w: camt.053: opening balance %s + credits %s − debits %s = %s, but the closing balance is %s",
				ErrFormat, formatHalere(opening.v), formatHalere(p.credits), formatHalere(p.debits),
				formatHalere(opening.v+p.sum), formatHalere(p.clbd.v))
		}
		st.Opening, st.Closing, st.HasBalances = opening.v, p.clbd.v, true
	}
	if p.nbOfNtries != "" {
		n, ok := parseDigits(p.nbOfNtries, 15)
		if !ok {
			return nil, fmt.Errorf("%w: camt.053: NbOfNtries %q is not a number", ErrFormat, p.nbOfNtries)
		}
		if n != int64(p.entries) && n != int64(p.booked) {
			return nil, fmt.Errorf("%w: camt.053: the summary counts %d entries, the statement has %d (%d booked)",
				ErrFormat, n, p.entries, p.booked)
		}
	}
	if st.Transactions == nil {
		st.Transactions = []Transaction{}
	}
	return st, nil
}

// formatHalere writes haléře as a signed decimal "-1234.50".
func formatHalere(v int64) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-v)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}
