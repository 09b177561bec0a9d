package bank_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/bank"
)

// Every field the ledger needs comes across, in order.
func TestPaymentTxs(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	st := &bank.Statement{Transactions: []bank.Transaction{
		{Ref: "R1", Booked: day, Amount: 123450, VS: 77, SS: 1, KS: 308, CounterAccount: "19-2000145399/0800", CounterName: "Jan Plátce", Message: "poplatek"},
		{Ref: "R2", Booked: day, Amount: -500, Reversal: true},
	}}
	want := []payment.StatementTx{
		{Ref: "R1", Booked: day, Amount: 123450, VS: 77, SS: 1, KS: 308, CounterAccount: "19-2000145399/0800", CounterName: "Jan Plátce", Message: "poplatek"},
		{Ref: "R2", Booked: day, Amount: -500, Reversal: true},
	}
	if got := st.PaymentTxs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("PaymentTxs:\n got %+v\nwant %+v", got, want)
	}
	if got := (&bank.Statement{}).PaymentTxs(); len(got) != 0 {
		t.Fatalf("empty statement: %+v", got)
	}
}
