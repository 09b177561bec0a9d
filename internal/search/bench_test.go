package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/search"
)

// benchWords are real words of a town's pages; the synthetic vocabulary
// adds Czech-looking words made of syllables, and documents draw from it
// with a Zipf distribution, as text does.
var benchWords = strings.Fields(`občanský průkaz cestovní pas řidičský poplatek poplatku psa psů pes odpad odpadu komunální
	bioodpad kontejner kontejnery sběrný dvůr parkování parkovací karta rezident odtah vozidla matrika rodný list narození
	dítěte sňatek svatba úmrtí pohřeb hřbitov hrobové místo stavební povolení stavba kolaudace kácení dřevin strom
	žádost žádosti úřad úřadu odbor obec obce obci město města náměstí radnice zastupitelstvo zasedání vyhláška
	rozpočet dotace dotaci grant sport kultura škola školka zápis jídelna sociální dávky byt bytu nájem nájemné
	senior senioři pečovatelská služba doprava autobus jízdenka silnice chodník oprava uzavírka voda vodné stočné
	kanalizace elektřina plyn teplo daň nemovitost pozemek katastr výpis rejstřík trestů ověření podpis listina
	datová schránka identita přihlášení trvalý pobyt adresa změna jméno příjmení rozvod dětí rodina příspěvek
	podnikání živnost provozovna restaurace hluk klid noční kůň koně zvíře zvířata očkování čip vzteklina
	knihovna muzeum divadlo kino festival trh trhy prodej pronájem sál hasiči policie strážníci nález ztráta
	krádež pojištění zdravotní lékař lékárna nemocnice pohotovost sanitka záchranná krize povodeň sníh zima léto`)

func syntheticVocabulary(r *rand.Rand, n int) []string {
	syl := strings.Fields("ba be bo bu ka ke ko ku la le lo lu ma me mo mu na ne no nu pa pe po pu ra re ro ru sa se so su ta te to tu va ve vo vu za ze zo zu ča če čo ři řa ža že ší ša dě tě ně ov ost ní ký ská")
	seen := map[string]bool{}
	vocab := []string{}
	for _, w := range benchWords {
		if !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	for len(vocab) < n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	// Real words at random ranks: some common, some rare.
	r.Shuffle(len(vocab), func(i, j int) { vocab[i], vocab[j] = vocab[j], vocab[i] })
	return vocab
}

func syntheticDocs(tenantID int64, n int) []search.Doc {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	vocab := syntheticVocabulary(r, 20000)
	zipf := rand.NewZipf(rand.New(rand.NewPCG(7, uint64(n))), 1.07, 2, uint64(len(vocab)-1))
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	kinds := []string{search.KindSituation, search.KindPage, search.KindNews, search.KindNotice}
	docs := make([]search.Doc, n)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range docs {
		title := words(2 + r.IntN(4))
		docs[i] = search.Doc{TenantID: tenantID, Kind: kinds[i%4], RefID: int64(i + 1), Lang: "cs",
			URL: fmt.Sprintf("/d/%d", i+1), Title: capitalise(title), Body: words(20+r.IntN(30)) + ".",
			Published: true, UpdatedAt: at}
	}
	return docs
}

var benchQueries = []string{
	"obcansky prukaz", "poplatek za psa", "odpad", "parkování", "stavební povolení", "obč", "matrika rodný list",
	"kontejnery", "obcanky prukas", "hřbitov", "trvalý pobyt změna adresy", "datová schránka", "dotace sport",
	"pečovatelská služba", "uzavírka silnice", "po", "zastupitelstvo zasedání", "výpis z rejstříku trestů",
	"knihovna", "sníh",
}

func benchmarkSearch(b *testing.B, n int) {
	d := dbtest.Open(b)
	ctx := context.Background()
	tn := fixture.Town(b, d, "bench", 0)
	store := &search.Store{DB: d}
	start := time.Now()
	docs := syntheticDocs(tn.ID, n)
	for i := 0; i < len(docs); i += 5000 {
		if err := store.IndexMany(ctx, docs[i:min(i+5000, len(docs))]); err != nil {
			b.Fatal(err)
		}
	}
	if d.Dialect() == "postgres" {
		// What autovacuum does in production: statistics, and the
		// visibility map that lets lookups read the index alone.
		if _, err := d.Write().Exec(ctx, `VACUUM ANALYZE search_terms`); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Write().Exec(ctx, `VACUUM ANALYZE search_docs`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := d.Write().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: indexed %d documents in %s", d.Dialect(), n, time.Since(start).Round(time.Millisecond))
	var lat []time.Duration
	hits := 0
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		t0 := time.Now()
		res, err := store.Search(ctx, tn.ID, q, "cs", 10)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		hits += len(res.Hits)
	}
	if hits == 0 {
		b.Fatal("the benchmark queries found nothing")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkSearch1k(b *testing.B)   { benchmarkSearch(b, 1000) }
func BenchmarkSearch10k(b *testing.B)  { benchmarkSearch(b, 10000) }
func BenchmarkSearch100k(b *testing.B) { benchmarkSearch(b, 100000) }

func capitalise(s string) string {
	r := []rune(s)
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}
