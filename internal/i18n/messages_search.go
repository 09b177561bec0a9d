package i18n

// Search: why a query or a document was refused (internal/search).
func init() {
	add(map[Lang]map[string]string{
		CS: {
			"search.query.empty":    "Napište prosím, co hledáte (například „občanský průkaz“ nebo „poplatek za psa“).",
			"search.query.long":     "Dotaz je příliš dlouhý. Zkraťte ho prosím na nejvýše 200 znaků: stačí několik klíčových slov.",
			"search.query.words":    "Dotaz má příliš mnoho slov. Použijte prosím nejvýše 10 slov: stačí ta nejdůležitější.",
			"search.doc.tenant":     "Dokument nepatří žádné obci.",
			"search.doc.kind":       "Neznámý druh dokumentu pro vyhledávání.",
			"search.doc.incomplete": "Dokumentu pro vyhledávání chybí jazyk, adresa, název nebo čas změny.",
		},
		EN: {
			"search.query.empty":    "Please type what you are looking for (for example “identity card” or “dog fee”).",
			"search.query.long":     "The query is too long. Please shorten it to at most 200 characters: a few key words are enough.",
			"search.query.words":    "The query has too many words. Please use at most 10 words: the most important ones are enough.",
			"search.doc.tenant":     "The document belongs to no town.",
			"search.doc.kind":       "Unknown kind of document for search.",
			"search.doc.incomplete": "The document for search lacks a language, an address, a title or its time of change.",
		},
	})
}
