package obligation_test

import (
	"testing"
	"time"

	"github.com/radnice/radnice/internal/obligation"
)

func TestStatusFromLedger(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	due := func(d int) time.Time { return today.AddDate(0, 0, d) }
	cases := []struct {
		name                      string
		amount, balance, paid, wo int64
		due                       time.Time
		want                      obligation.Status
	}{
		{"open", 100, 100, 0, 0, due(10), obligation.StatusOpen},
		{"due today is not overdue", 100, 100, 0, 0, due(0), obligation.StatusOpen},
		{"overdue", 100, 100, 0, 0, due(-1), obligation.StatusOverdue},
		{"partly paid", 100, 40, 60, 0, due(10), obligation.StatusPartlyPaid},
		{"partly paid and late", 100, 40, 60, 0, due(-1), obligation.StatusOverdue},
		{"paid", 100, 0, 100, 0, due(-30), obligation.StatusPaid},
		{"overpaid", 100, -100, 200, 0, due(10), obligation.StatusOverpaid},
		{"written off", 100, 0, 30, 70, due(-30), obligation.StatusWrittenOff},
	}
	for _, c := range cases {
		l := obligation.Line{Obligation: obligation.Obligation{Amount: c.amount, DueDate: c.due}, Balance: c.balance, Paid: c.paid, WrittenOff: c.wo}
		if got := l.Status(today); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
