package demo

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/tenant"
)

// Statement plays the town's bank in the demo: a camt.053 statement of the
// town's account in which every transfer basket still waiting has been paid
// by its payer, plus one transfer nobody's symbol matches (for the fee
// clerks' queue). Importing it books the baskets; importing it again adds
// nothing (the references are fixed per basket and day).
func Statement(ctx context.Context, d *db.DB, tenantID int64) (_ []byte, err error) {
	defer derr.Wrap(&err, "demo.Statement(%d)", tenantID)
	t, err := (&tenant.Store{DB: d}).Get(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !t.Demo {
		return nil, derr.ErrNotFound
	}
	rows, err := d.Read().Query(ctx, `SELECT p.id, p.vs, p.amount, coalesce(pe.given_name || ' ' || pe.family_name, c.name, '')
		FROM payments p LEFT JOIN persons pe ON pe.tenant_id = p.tenant_id AND pe.id = p.person_id
		LEFT JOIN companies c ON c.tenant_id = p.tenant_id AND c.id = p.company_id
		WHERE p.tenant_id = $1 AND p.channel = 'transfer' AND p.state = 'pending' ORDER BY p.id LIMIT 1000`, tenantID)
	if err != nil {
		return nil, err
	}
	type entry struct {
		ref, name  string
		vs, amount int64
	}
	var entries []entry
	for rows.Next() {
		var id int64
		var e entry
		if err := rows.Scan(&id, &e.vs, &e.amount, &e.name); err != nil {
			rows.Close()
			return nil, err
		}
		e.ref = fmt.Sprintf("DEMO-%d", id)
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := time.Now().In(time.UTC)
	day := now.Format("2006-01-02")
	entries = append(entries, entry{ref: "DEMO-STRAY-" + day, name: "Neznámý plátce", vs: 1234, amount: 50000})

	var total int64
	for _, e := range entries {
		total += e.amount
	}
	var b bytes.Buffer
	esc := func(s string) string {
		var w bytes.Buffer
		xml.EscapeText(&w, []byte(s))
		return w.String()
	}
	money := func(h int64) string { return fmt.Sprintf("%d.%02d", h/100, h%100) }
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>
<GrpHdr><MsgId>DEMO-%s</MsgId><CreDtTm>%s</CreDtTm></GrpHdr>
<Stmt>
<Id>DEMO-%s</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>%s</CreDtTm>
<Acct><Id><IBAN>%s</IBAN></Id><Ccy>CZK</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CZK">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CZK">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>
<TxsSummry><TtlNtries><NbOfNtries>%d</NbOfNtries></TtlNtries></TxsSummry>
`, day, now.Format(time.RFC3339), day, now.Format(time.RFC3339), esc(t.IBAN), day, money(total), day, len(entries))
	for _, e := range entries {
		fmt.Fprintf(&b, `<Ntry><Amt Ccy="CZK">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt>
<AcctSvcrRef>%s</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>/VS%d/SS/KS0308</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>%s</Nm></Dbtr></RltdPties><RmtInf><Ustrd>DEMO platba</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
`, money(e.amount), day, day, esc(e.ref), e.vs, esc(e.name))
	}
	b.WriteString("</Stmt>\n</BkToCstmrStmt>\n</Document>\n")
	return b.Bytes(), nil
}
