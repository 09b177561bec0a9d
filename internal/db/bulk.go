package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ReserveIDs hands out n new primary keys for table, so that a bulk insert
// can link rows (a person to a household) without a round trip per row.
// It must run inside the transaction that inserts the rows.
func ReserveIDs(ctx context.Context, tx *Tx, table string, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	ids := make([]int64, 0, n)
	if tx.dialect == SQLite {
		// The transaction holds SQLite's only write lock: nobody else can
		// take the ids after max(id) until it commits.
		var max int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&max); err != nil {
			return nil, err
		}
		for i := range n {
			ids = append(ids, max+1+int64(i))
		}
		return ids, nil
	}
	// PostgreSQL: take them from the identity's sequence; concurrent callers
	// get other numbers, not necessarily contiguous ones.
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// InsertRows writes many rows into table. PostgreSQL uses COPY, SQLite
// multi-row INSERTs as large as its parameter limit allows: the two fastest
// ways each engine has, behind one call.
func InsertRows(ctx context.Context, tx *Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		_, err := tx.pgxTx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	}
	// Plain ? placeholders: the driver binds them by position, while $N would
	// be looked up by name for each parameter. About 4,000 values per
	// statement measured fastest.
	per := max(1, 4000/len(columns))
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO ")
		b.WriteString(table)
		b.WriteString(" (")
		b.WriteString(strings.Join(columns, ", "))
		b.WriteString(") VALUES ")
		args := make([]any, 0, (end-start)*len(columns))
		for i, row := range rows[start:end] {
			if len(row) != len(columns) {
				return fmt.Errorf("insert into %s: row %d has %d values for %d columns", table, start+i, len(row), len(columns))
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range row {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('?')
			}
			b.WriteByte(')')
			args = append(args, row...)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// StageRows creates the temporary table tmp with the given columns of table
// (their types, no constraints) and fills it with rows, the fastest way each
// engine has (COPY on PostgreSQL), so that set-based SQL can take it from
// there. The table lives until the transaction ends; call DropStage before.
func StageRows(ctx context.Context, tx *Tx, tmp, table string, columns []string, rows [][]any) error {
	cols := strings.Join(columns, ", ")
	if tx.dialect == Postgres {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+tmp+` ON COMMIT DROP AS SELECT `+cols+` FROM `+table+` WITH NO DATA`); err != nil {
			return fmt.Errorf("stage %s: %w", table, err)
		}
		if len(rows) == 0 {
			return nil
		}
		if _, err := tx.pgxTx.CopyFrom(ctx, pgx.Identifier{tmp}, columns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", tmp, err)
		}
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+tmp+` AS SELECT `+cols+` FROM `+table+` WHERE 0`); err != nil {
		return fmt.Errorf("stage %s: %w", table, err)
	}
	return InsertRows(ctx, tx, tmp, columns, rows)
}

// DropStage removes a table made by StageRows.
func DropStage(ctx context.Context, tx *Tx, tmp string) error {
	_, err := tx.Exec(ctx, `DROP TABLE `+tmp)
	return err
}
