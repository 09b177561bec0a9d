// Package search is the town's full-text search over life situations,
// pages, news and notices: the catalogue feeds documents in (Index,
// Remove), the faces ask (Search, Suggest).
//
// The language work is done here in Go, not by the database: text is
// folded (NFD, combining marks stripped, lower case), split into words and
// stemmed by a light Czech stemmer, and the database keeps a plain inverted
// index (search_docs, search_terms) that both engines read with the same
// b-tree lookups. So SQLite and PostgreSQL find the same documents in the
// same order. It knows nothing of HTTP and never returns HTML: snippets are
// segments of plain text marked as hits or not.
package search

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Kinds of documents.
const (
	KindSituation = "situation"
	KindPage      = "page"
	KindNews      = "news"
	KindNotice    = "notice"
)

var kinds = map[string]bool{KindSituation: true, KindPage: true, KindNews: true, KindNotice: true}

// Limits of a query.
const (
	MaxQueryRunes = 200
	MaxQueryWords = 10
	DefaultLimit  = 10
	MaxLimit      = 100
)

// Doc is one searchable document in one language. (TenantID, Kind, RefID,
// Lang) names it; indexing it again replaces it.
type Doc struct {
	TenantID  int64
	Kind      string
	RefID     int64
	Lang      string
	URL       string
	Title     string
	Body      string // plain text: the caller strips markup
	Published bool
	UpdatedAt time.Time
}

// Segment is a piece of a title or snippet; Hit marks a matched word.
type Segment struct {
	Text string
	Hit  bool
}

// Hit is one document found.
type Hit struct {
	Kind      string
	RefID     int64
	URL       string
	Title     string
	TitleText []Segment // the title with the matched words marked
	Snippet   []Segment // the body around the first match
	UpdatedAt time.Time
}

// Result is what a search found: the best hits and how many documents
// matched in all.
type Result struct {
	Hits  []Hit
	Total int
}

// Suggestion is a title offered as one types.
type Suggestion struct {
	Kind  string
	Title string
	URL   string
}

// Store reads and writes the index.
type Store struct {
	DB *db.DB

	// SQLite: prepared statements by their text. Parsing the search's
	// statement took more time than running it; PostgreSQL's driver keeps
	// its own cache.
	stmts     sync.Map
	stmtCount atomic.Int32
}

// maxStmts bounds the statements kept prepared (one per shape of query).
const maxStmts = 256

func (s *Store) stmt(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(text); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.DB.SQLReader().PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if s.stmtCount.Load() >= maxStmts {
		return st, nil // the caller closes it after use
	}
	if prev, loaded := s.stmts.LoadOrStore(text, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	s.stmtCount.Add(1)
	return st, nil
}

func (s *Store) cached(text string, st *sql.Stmt) bool {
	v, ok := s.stmts.Load(text)
	return ok && v.(*sql.Stmt) == st
}

// query runs a read, through a prepared statement on SQLite.
func (s *Store) query(ctx context.Context, text string, args ...any) (db.Rows, error) {
	if s.DB.Dialect() != db.SQLite {
		return s.DB.Read().Query(ctx, text, args...)
	}
	st, err := s.stmt(ctx, text)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		if !s.cached(text, st) {
			st.Close()
		}
		return nil, err
	}
	r := &stmtRows{Rows: rows}
	if !s.cached(text, st) {
		r.stmt = st
	}
	return r, nil
}

// queryRow is query for one row.
func (s *Store) queryRow(ctx context.Context, text string, args ...any) db.Row {
	rows, err := s.query(ctx, text, args...)
	return oneRow{rows, err}
}

type stmtRows struct {
	*sql.Rows
	stmt *sql.Stmt // closed with the rows when it was not cached
}

func (r *stmtRows) Close() {
	_ = r.Rows.Close()
	if r.stmt != nil {
		_ = r.stmt.Close()
	}
}

type oneRow struct {
	rows db.Rows
	err  error
}

func (r oneRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return db.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Err()
}

// Index adds or replaces doc in its own transaction.
func (s *Store) Index(ctx context.Context, doc Doc) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return IndexTx(ctx, tx, doc) })
}

// IndexMany indexes docs in one transaction (a whole town's catalogue).
func (s *Store) IndexMany(ctx context.Context, docs []Doc) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return IndexManyTx(ctx, tx, docs) })
}

// IndexTx adds or replaces doc inside the caller's transaction, so that a
// change of content and of its index commit together.
func IndexTx(ctx context.Context, tx *db.Tx, doc Doc) error {
	return IndexManyTx(ctx, tx, []Doc{doc})
}

// IndexManyTx adds or replaces docs inside the caller's transaction. An
// unpublished document keeps its row but gets no terms: it is never found.
// Documents go in batches of multi-row statements, so that a whole town
// is indexed in seconds.
func IndexManyTx(ctx context.Context, tx *db.Tx, docs []Doc) (err error) {
	defer derr.Wrap(&err, "search.Index(%d docs)", len(docs))
	defer generation.Add(1)
	// The last version of a document given twice wins (one statement may
	// not change a row twice).
	type key struct {
		tenant int64
		kind   string
		ref    int64
		lang   string
	}
	last := map[key]int{}
	docs = slices.Clone(docs)
	for i := range docs {
		doc := &docs[i]
		if err := check(*doc); err != nil {
			return err
		}
		// PostgreSQL refuses text that is not UTF-8; both engines store the
		// same repaired text.
		doc.URL = strings.ToValidUTF8(doc.URL, "\uFFFD")
		doc.Title = strings.ToValidUTF8(doc.Title, "\uFFFD")
		doc.Body = strings.ToValidUTF8(doc.Body, "\uFFFD")
		last[key{doc.TenantID, doc.Kind, doc.RefID, doc.Lang}] = i
	}
	var unique []Doc
	for i, doc := range docs {
		if last[key{doc.TenantID, doc.Kind, doc.RefID, doc.Lang}] == i {
			unique = append(unique, doc)
		}
	}
	// All new terms go in at the end, sorted as the index keeps them: on
	// a large index, inserting in key order touches each page once.
	var terms [][]any
	const batch = 200
	for start := 0; start < len(unique); start += batch {
		chunk := unique[start:min(start+batch, len(unique))]
		ph := placeholders(tx.Dialect())
		// Which of them are indexed already, so that only their old terms
		// are deleted (a first indexing deletes nothing).
		refs := map[int64][]any{}
		for _, doc := range chunk {
			refs[doc.TenantID] = append(refs[doc.TenantID], doc.RefID)
		}
		old := map[key]int64{}
		for tenantID, ids := range refs {
			args := append([]any{tenantID}, ids...)
			list := make([]string, len(ids))
			for i := range ids {
				list[i] = ph(i + 2)
			}
			rows, err := tx.Query(ctx, `SELECT id, kind, ref_id, lang FROM search_docs WHERE tenant_id = `+ph(1)+
				` AND ref_id IN (`+strings.Join(list, ", ")+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				k := key{tenant: tenantID}
				if err := rows.Scan(&id, &k.kind, &k.ref, &k.lang); err != nil {
					rows.Close()
					return err
				}
				old[k] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var b strings.Builder
		var args []any
		b.WriteString(`INSERT INTO search_docs (tenant_id, kind, ref_id, lang, url, title, title_key, body_text, published, updated_at) VALUES `)
		for i, doc := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j, v := range []any{doc.TenantID, doc.Kind, doc.RefID, doc.Lang, doc.URL, doc.Title, titleKey(doc.Title), doc.Body,
				doc.Published, doc.UpdatedAt.UTC()} {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				b.WriteString(ph(len(args)))
			}
			b.WriteString(")")
		}
		b.WriteString(` ON CONFLICT (tenant_id, kind, ref_id, lang) DO UPDATE SET url = excluded.url, title = excluded.title,
			title_key = excluded.title_key, body_text = excluded.body_text, published = excluded.published, updated_at = excluded.updated_at
			RETURNING id, tenant_id, kind, ref_id, lang`)
		rows, err := tx.Query(ctx, b.String(), args...)
		if err != nil {
			return err
		}
		ids := map[key]int64{}
		for rows.Next() {
			var id int64
			var k key
			if err := rows.Scan(&id, &k.tenant, &k.kind, &k.ref, &k.lang); err != nil {
				rows.Close()
				return err
			}
			ids[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Old terms go; published documents get their new ones.
		byTenant := map[int64][]any{}
		for _, doc := range chunk {
			id, ok := ids[key{doc.TenantID, doc.Kind, doc.RefID, doc.Lang}]
			if !ok {
				return fmt.Errorf("document %s %d (%s) not returned by the upsert", doc.Kind, doc.RefID, doc.Lang)
			}
			if oldID, ok := old[key{doc.TenantID, doc.Kind, doc.RefID, doc.Lang}]; ok {
				byTenant[doc.TenantID] = append(byTenant[doc.TenantID], oldID)
			}
			if !doc.Published {
				continue
			}
			for term, st := range termsOf(doc.Title, doc.Body) {
				terms = append(terms, []any{doc.TenantID, doc.Lang, term, id, st.inTitle, st.count})
			}
		}
		for tenantID, docIDs := range byTenant {
			args := []any{tenantID}
			list := make([]string, len(docIDs))
			for i, id := range docIDs {
				args = append(args, id)
				list[i] = ph(len(args))
			}
			if _, err := tx.Exec(ctx, `DELETE FROM search_terms WHERE tenant_id = `+ph(1)+` AND doc_id IN (`+strings.Join(list, ", ")+`)`,
				args...); err != nil {
				return err
			}
		}
	}
	slices.SortFunc(terms, func(a, b []any) int {
		if c := cmp.Compare(a[0].(int64), b[0].(int64)); c != 0 {
			return c
		}
		if c := cmp.Compare(a[1].(string), b[1].(string)); c != 0 {
			return c
		}
		if c := cmp.Compare(a[2].(string), b[2].(string)); c != 0 {
			return c
		}
		return cmp.Compare(a[3].(int64), b[3].(int64))
	})
	return db.InsertRows(ctx, tx, "search_terms", []string{"tenant_id", "lang", "term", "doc_id", "in_title", "count"}, terms)
}

// placeholders numbers parameters: $N on PostgreSQL; plain ? on SQLite,
// whose driver binds those by position but looks $N up by name, one
// lookup per parameter (slow in statements of thousands).
func placeholders(d db.Dialect) func(n int) string {
	if d == db.SQLite {
		return func(int) string { return "?" }
	}
	return func(n int) string { return "$" + strconv.Itoa(n) }
}

func check(doc Doc) error {
	var v derr.InvalidError
	if doc.TenantID <= 0 {
		v.Add("tenant", "search.doc.tenant", "no town")
	}
	if !kinds[doc.Kind] {
		v.Add("kind", "search.doc.kind", fmt.Sprintf("unknown kind %q", doc.Kind))
	}
	if doc.Lang == "" || doc.URL == "" || strings.TrimSpace(doc.Title) == "" {
		v.Add("doc", "search.doc.incomplete", "a document needs a language, an address and a title")
	}
	if doc.UpdatedAt.IsZero() {
		v.Add("updated_at", "search.doc.incomplete", "a document needs its time of change")
	}
	return v.Err()
}

// Remove takes a document out of the index: in one language, or in all
// when lang is "".
func (s *Store) Remove(ctx context.Context, tenantID int64, kind string, refID int64, lang string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return RemoveTx(ctx, tx, tenantID, kind, refID, lang) })
}

// RemoveTx is Remove inside the caller's transaction.
func RemoveTx(ctx context.Context, tx *db.Tx, tenantID int64, kind string, refID int64, lang string) (err error) {
	defer derr.Wrap(&err, "search.Remove(%s %d)", kind, refID)
	defer generation.Add(1)
	// The terms go with their document (ON DELETE CASCADE).
	_, err = tx.Exec(ctx, `DELETE FROM search_docs WHERE tenant_id = $1 AND kind = $2 AND ref_id = $3 AND ($4 = '' OR lang = $4)`,
		tenantID, kind, refID, lang)
	return err
}

// collators sorts titles in Czech order (ch after h, č after c); a
// Collator is not safe for concurrent use, hence the pool.
var collators = sync.Pool{New: func() any { return collate.New(language.Czech) }}

// titleKey is the Czech collation key of a title. Stored with the document,
// it lets both engines break ties in Czech order by comparing bytes.
func titleKey(title string) []byte {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	key := c.KeyFromString(&buf, title)
	return append([]byte(nil), key...)
}

// word is one word of a query and how it may match a term.
type word struct {
	folded string
	stem   string
	prefix string              // non-empty: any term starting with it matches
	maxLen int                 // with prefix: the longest term that matches (0: any)
	typos  []string            // terms within the edit distance, when nothing matched
	typo   map[string]struct{} // the same, for highlighting
}

// matches reports whether the indexed term t matches w.
func (w *word) matches(t string) bool {
	if t == w.stem || (w.prefix != "" && strings.HasPrefix(t, w.prefix) && (w.maxLen == 0 || utf8.RuneCountInString(t) <= w.maxLen)) {
		return true
	}
	_, ok := w.typo[t]
	return ok
}

// maxExtension is how many letters longer than a query word's stem a term
// matched by prefix may be, for every word but the last: enough for the
// endings the stemmer leaves ("parkovani" finds "parkovanim"), not so much
// that "obci" finds "obcansky". The last word may still be being typed and
// matches any longer term.
const maxExtension = 3

// parse checks a query and turns it into words. When the query has nothing
// but stop words, it returns them and onlyStop.
func parse(query string) (_ []*word, onlyStop bool, _ error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, false, derr.Invalid("q", "search.query.empty", "empty query")
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return nil, false, derr.Invalid("q", "search.query.long", "query longer than 200 characters")
	}
	toks := tokenize(q)
	if len(toks) == 0 {
		return nil, false, derr.Invalid("q", "search.query.empty", "query without a word")
	}
	if len(toks) > MaxQueryWords {
		return nil, false, derr.Invalid("q", "search.query.words", "query of more than 10 words")
	}
	var words, stops []*word
	seen := map[string]bool{}
	for i, t := range toks {
		w := &word{folded: t.folded, stem: Stem(t.folded)}
		n := utf8.RuneCountInString(t.folded)
		last := i == len(toks)-1
		switch {
		case n >= minStem:
			// Czech word forms: any longer term with the same stem.
			w.prefix = w.stem
			if !last {
				w.maxLen = utf8.RuneCountInString(w.stem) + maxExtension
			}
		case last && n == 2:
			// Still being typed; one letter alone would match too much.
			w.prefix = t.folded
		}
		if seen[w.stem+"\x00"+w.prefix] {
			continue
		}
		seen[w.stem+"\x00"+w.prefix] = true
		if stopWords[t.folded] {
			stops = append(stops, w)
			continue
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return stops, true, nil
	}
	return words, false, nil
}

// branch is the SQL selecting the postings of word number i: its exact
// term and prefix range, or its typo candidates.
func branch(i int, w *word, args *[]any, titleOnly bool) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	var cond string
	switch {
	case len(w.typos) > 0:
		// Padded to a power of two by repeating the last candidate, so
		// that the statement's text, and its prepared form, is reused.
		n := 1
		for n < len(w.typos) {
			n *= 2
		}
		ph := make([]string, n)
		for j := range ph {
			ph[j] = arg(w.typos[min(j, len(w.typos)-1)])
		}
		cond = "term IN (" + strings.Join(ph, ", ") + ")"
	case w.prefix != "" && nextPrefix(w.prefix) != "":
		cond = "term >= " + arg(w.prefix) + " AND term < " + arg(nextPrefix(w.prefix))
		if w.maxLen > 0 {
			cond += " AND length(term) <= " + arg(w.maxLen)
		}
	default:
		cond = "term = " + arg(w.stem)
	}
	title := ""
	if titleOnly {
		title = " AND in_title"
	}
	return fmt.Sprintf(`SELECT doc_id, %d AS qi, CASE WHEN in_title THEN 1 ELSE 0 END AS ti, count AS c,
			CASE WHEN term = %s THEN 1 ELSE 0 END AS ex
		FROM search_terms WHERE tenant_id = $1 AND lang = $2 AND %s%s`, i, arg(w.stem), cond, title)
}

// resolve finds which words match no term at all and gives those their
// typo candidates: terms sharing the first two letters within edit distance
// 1 (2 for words of 8 letters or more).
func (s *Store) resolve(ctx context.Context, tenantID int64, lang string, words []*word) error {
	args := []any{tenantID, lang}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	cols := make([]string, len(words))
	// A last word that had an ending the stemmer took off ("obec", not
	// "obč") and whose stem is an indexed term was typed in full: its
	// prefix then reaches as far as any other word's.
	last := words[len(words)-1]
	complete := last.prefix != "" && last.maxLen == 0 && last.prefix == last.stem && last.folded != last.stem
	for i, w := range words {
		var cond string
		if w.prefix != "" && nextPrefix(w.prefix) != "" {
			cond = "term >= " + arg(w.prefix) + " AND term < " + arg(nextPrefix(w.prefix))
			if w.maxLen > 0 {
				cond += " AND length(term) <= " + arg(w.maxLen)
			}
		} else {
			cond = "term = " + arg(w.stem)
		}
		cols[i] = `CASE WHEN EXISTS (SELECT 1 FROM search_terms WHERE tenant_id = $1 AND lang = $2 AND ` + cond + `) THEN 1 ELSE 0 END`
	}
	if complete {
		cols = append(cols, `CASE WHEN EXISTS (SELECT 1 FROM search_terms WHERE tenant_id = $1 AND lang = $2 AND term = `+arg(last.stem)+`) THEN 1 ELSE 0 END`)
	}
	found := make([]int, len(cols))
	dest := make([]any, len(cols))
	for i := range found {
		dest[i] = &found[i]
	}
	if err := s.queryRow(ctx, `SELECT `+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return err
	}
	if complete && found[len(words)] == 1 {
		last.maxLen = utf8.RuneCountInString(last.stem) + maxExtension
	}
	for i, w := range words {
		if found[i] == 1 || utf8.RuneCountInString(w.stem) < minStem {
			continue
		}
		limit := 1
		if utf8.RuneCountInString(w.folded) >= 8 {
			limit = 2
		}
		cands, err := s.candidates(ctx, tenantID, lang, string([]rune(w.stem)[:2]))
		if err != nil {
			return err
		}
		w.typo = map[string]struct{}{}
		type cand struct {
			term string
			dist int
		}
		var near []cand
		for _, c := range cands {
			if d := editDistance(w.stem, c, limit); d <= limit {
				near = append(near, cand{c, d})
			}
		}
		// The nearest first (then in byte order, as the index lists them).
		slices.SortStableFunc(near, func(a, b cand) int { return a.dist - b.dist })
		for _, c := range near[:min(len(near), maxTypos)] {
			w.typos = append(w.typos, c.term)
			w.typo[c.term] = struct{}{}
		}
	}
	return nil
}

// maxDictionary bounds the terms read for typo candidates, maxTypos the
// candidates a word is matched to.
const (
	maxDictionary = 5000
	maxTypos      = 32
)

// The typo candidates of a two-letter prefix are kept in memory for
// dictTTL, since a loose index scan of a common prefix in a large town
// reads a thousand terms or more. Indexing in this process makes them
// stale at once (generation); indexing in another process sharing the
// database shows in typo candidates within dictTTL. Exact and prefix
// matching never use the cache.
const (
	dictTTL     = 30 * time.Second
	dictEntries = 4096
)

var generation atomic.Int64

type dictEntry struct {
	terms      []string
	at         time.Time
	generation int64
}

var dictCache struct {
	sync.Mutex
	m map[string]dictEntry
}

func (s *Store) candidates(ctx context.Context, tenantID int64, lang, prefix string) ([]string, error) {
	key := fmt.Sprintf("%p|%d|%s|%s", s.DB, tenantID, lang, prefix)
	gen := generation.Load()
	dictCache.Lock()
	e, ok := dictCache.m[key]
	dictCache.Unlock()
	if ok && e.generation == gen && time.Since(e.at) < dictTTL {
		return e.terms, nil
	}
	terms, err := s.dictionary(ctx, tenantID, lang, prefix)
	if err != nil {
		return nil, err
	}
	dictCache.Lock()
	if dictCache.m == nil || len(dictCache.m) >= dictEntries {
		dictCache.m = map[string]dictEntry{}
	}
	dictCache.m[key] = dictEntry{terms: terms, at: time.Now(), generation: gen}
	dictCache.Unlock()
	return terms, nil
}

// dictionary lists the distinct terms starting with prefix, skipping from
// one to the next through the index (a loose index scan, one seek per term,
// the same on both engines) instead of reading every posting.
func (s *Store) dictionary(ctx context.Context, tenantID int64, lang, prefix string) ([]string, error) {
	rows, err := s.query(ctx, `WITH RECURSIVE d(term, n) AS (
			SELECT (SELECT min(term) FROM search_terms WHERE tenant_id = $1 AND lang = $2 AND term >= $3 AND term < $4), 1
			UNION ALL
			SELECT (SELECT min(s.term) FROM search_terms s WHERE s.tenant_id = $1 AND s.lang = $2 AND s.term > d.term AND s.term < $4), d.n + 1
			FROM d WHERE d.term IS NOT NULL AND d.n < $5
		)
		SELECT term FROM d WHERE term IS NOT NULL`, tenantID, lang, prefix, nextPrefix(prefix), maxDictionary)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func clampLimit(limit int) int {
	if limit <= 0 {
		return DefaultLimit
	}
	return min(limit, MaxLimit)
}

// Search finds the town's published documents in lang that match query.
// Ranking: more query words matched in the title first, then more query
// words matched anywhere, then more words matched exactly (not only as a
// prefix or a typo), then term frequency; ties by title in Czech order.
func (s *Store) Search(ctx context.Context, tenantID int64, query, lang string, limit int) (res Result, err error) {
	defer derr.Wrap(&err, "search.Search")
	words, onlyStop, err := parse(query)
	if err != nil || onlyStop {
		// Stop words are not indexed: a query of nothing else finds nothing.
		return Result{}, err
	}
	limit = clampLimit(limit)
	if err := s.resolve(ctx, tenantID, lang, words); err != nil {
		return Result{}, fmt.Errorf("resolve: %w", err)
	}
	args := []any{tenantID, lang}
	branches := make([]string, len(words))
	for i, w := range words {
		branches[i] = branch(i, w, &args, false)
	}
	args = append(args, limit)
	lim := fmt.Sprintf("$%d", len(args))
	rows, err := s.query(ctx, `WITH h AS (`+strings.Join(branches, "\nUNION ALL\n")+`),
		w AS (SELECT doc_id, qi, max(ti) AS ti, max(ex) AS ex, sum(c) AS c FROM h GROUP BY doc_id, qi),
		a AS (SELECT doc_id, sum(ti) AS tt, count(*) AS m, sum(ex) AS ex, sum(c) AS tf FROM w GROUP BY doc_id),
		r AS (SELECT a.*, rank() OVER (ORDER BY tt DESC, m DESC, ex DESC, tf DESC) AS rk, count(*) OVER () AS total FROM a)
		SELECT d.kind, d.ref_id, d.url, d.title, d.body_text, d.updated_at, r.total
		FROM r JOIN search_docs d ON d.tenant_id = $1 AND d.id = r.doc_id
		WHERE r.rk <= `+lim+` AND d.published
		ORDER BY r.tt DESC, r.m DESC, r.ex DESC, r.tf DESC, d.title_key, d.id
		LIMIT `+lim, args...)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		var body string
		var total int64
		if err := rows.Scan(&h.Kind, &h.RefID, &h.URL, &h.Title, &body, &h.UpdatedAt, &total); err != nil {
			return Result{}, err
		}
		h.UpdatedAt = h.UpdatedAt.UTC()
		h.TitleText = highlight(h.Title, 0, len(h.Title), words)
		h.Snippet = snippet(body, words)
		res.Hits = append(res.Hits, h)
		res.Total = int(total)
	}
	return res, rows.Err()
}

// Suggest offers titles as one types: published documents in lang whose
// titles contain every word of prefix, the last word as typed so far; in
// Czech order. An empty prefix, or one of a single letter, suggests nothing.
func (s *Store) Suggest(ctx context.Context, tenantID int64, prefix, lang string, limit int) (out []Suggestion, err error) {
	defer derr.Wrap(&err, "search.Suggest")
	if strings.TrimSpace(prefix) == "" {
		return nil, nil
	}
	words, _, err := parse(prefix)
	if err != nil {
		return nil, err
	}
	if last := words[len(words)-1]; last.prefix == "" {
		// A single letter being typed: it would match too much, so the
		// words before it suggest alone.
		if len(words) == 1 {
			return nil, nil
		}
		words = words[:len(words)-1]
	}
	limit = clampLimit(limit)
	args := []any{tenantID, lang}
	branches := make([]string, len(words))
	for i, w := range words {
		branches[i] = branch(i, w, &args, true)
	}
	args = append(args, len(words), limit)
	rows, err := s.query(ctx, `WITH h AS (`+strings.Join(branches, "\nUNION ALL\n")+`),
		a AS (SELECT doc_id FROM h GROUP BY doc_id HAVING count(DISTINCT qi) = $`+fmt.Sprint(len(args)-1)+`)
		SELECT d.kind, d.title, d.url FROM a JOIN search_docs d ON d.tenant_id = $1 AND d.id = a.doc_id
		WHERE d.published
		ORDER BY d.title_key, d.id LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sg Suggestion
		if err := rows.Scan(&sg.Kind, &sg.Title, &sg.URL); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// highlight splits text[from:to] into segments, marking the words that
// match a query word.
func highlight(text string, from, to int, words []*word) []Segment {
	var out []Segment
	emit := func(s string, hit bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Hit == hit {
			out[n-1].Text += s
			return
		}
		out = append(out, Segment{Text: s, Hit: hit})
	}
	pos := from
	for _, t := range tokenize(text[from:to]) {
		start, end := from+t.start, from+t.end
		if matchAny(t.folded, words) {
			emit(text[pos:start], false)
			emit(text[start:end], true)
			pos = end
		}
	}
	emit(text[pos:to], false)
	return out
}

func matchAny(folded string, words []*word) bool {
	if stopWords[folded] {
		return false
	}
	t := Stem(folded)
	for _, w := range words {
		if w.matches(t) {
			return true
		}
	}
	return false
}

// Snippet sizes, in words before the first match and in bytes after it.
const (
	snippetBefore = 8
	snippetBytes  = 220
)

// snippet is the body around its first match (or its beginning when only
// the title matched), white space collapsed, cut at word boundaries and
// marked with "…" where cut.
func snippet(body string, words []*word) []Segment {
	body = strings.Join(strings.Fields(body), " ")
	toks := tokenize(body)
	if len(toks) == 0 {
		return nil
	}
	first := 0
	for i, t := range toks {
		if matchAny(t.folded, words) {
			first = i
			break
		}
	}
	startTok := max(0, first-snippetBefore)
	from := toks[startTok].start
	if startTok == 0 {
		from = 0
	}
	to := len(body)
	for i := startTok; i < len(toks); i++ {
		if toks[i].end-from > snippetBytes && i > startTok {
			to = toks[i-1].end
			break
		}
	}
	segs := highlight(body, from, to, words)
	if from > 0 {
		if len(segs) > 0 && !segs[0].Hit {
			segs[0].Text = "…" + segs[0].Text
		} else {
			segs = append([]Segment{{Text: "…"}}, segs...)
		}
	}
	if to < len(body) {
		if n := len(segs); n > 0 && !segs[n-1].Hit {
			segs[n-1].Text = strings.TrimRight(segs[n-1].Text, " ,;:") + "…"
		} else {
			segs = append(segs, Segment{Text: "…"})
		}
	}
	return segs
}
