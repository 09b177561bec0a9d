package bank

import "github.com/radnice/radnice/internal/payment"

// PaymentTxs turns the statement into what the ledger books
// (payment.Service.Import). The parsers stay free of the ledger; only this
// conversion knows both.
func (st *Statement) PaymentTxs() []payment.StatementTx {
	out := make([]payment.StatementTx, len(st.Transactions))
	for i, t := range st.Transactions {
		out[i] = payment.StatementTx{Ref: t.Ref, Booked: t.Booked, Amount: t.Amount, Reversal: t.Reversal, VS: t.VS, SS: t.SS, KS: t.KS,
			CounterAccount: t.CounterAccount, CounterName: t.CounterName, Message: t.Message}
	}
	return out
}
