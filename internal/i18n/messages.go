package i18n

// catalog holds every user interface text, keyed by dotted names grouped by
// page. Each messages_*.go file adds its part with add in an init function.
var catalog = map[Lang]map[string]string{CS: {}, EN: {}}

// add merges messages into the catalogue; a key defined twice is a bug.
func add(m map[Lang]map[string]string) {
	for lang, msgs := range m {
		for k, v := range msgs {
			if _, dup := catalog[lang][k]; dup {
				panic("i18n: message " + k + " defined twice")
			}
			catalog[lang][k] = v
		}
	}
}

func init() {
	add(map[Lang]map[string]string{
		CS: {
			"weekday.1": "pondělí", "weekday.2": "úterý", "weekday.3": "středa", "weekday.4": "čtvrtek",
			"weekday.5": "pátek", "weekday.6": "sobota", "weekday.7": "neděle",
			"portal.name": "Portál občana",
		},
		EN: {
			"weekday.1": "Monday", "weekday.2": "Tuesday", "weekday.3": "Wednesday", "weekday.4": "Thursday",
			"weekday.5": "Friday", "weekday.6": "Saturday", "weekday.7": "Sunday",
			"portal.name": "Citizen Portal",
		},
	})
}
