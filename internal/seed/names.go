package seed

// Static data for the synthetic town. The lists are written for this project
// (not taken from any register) and are generic: no list is one real town's.

// maleGivenNames are common Czech male first names.
var maleGivenNames = []string{
	"Jan", "Petr", "Jiří", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav",
	"Miroslav", "Zdeněk", "František", "Václav", "Michal", "Milan", "Karel",
	"Jakub", "Lukáš", "David", "Vladimír", "Ondřej", "Ladislav", "Roman",
	"Stanislav", "Marek", "Radek", "Daniel", "Antonín", "Vojtěch", "Filip",
	"Adam", "Matěj", "Aleš", "Libor", "Jaromír", "Dominik", "Vít", "Patrik",
	"Luboš", "Oldřich", "Rudolf", "Ivan", "Vlastimil", "Jindřich", "Miloš",
	"Lubomír", "Radim", "Bohumil", "Dušan", "Štěpán", "Vladislav", "Kamil",
	"Ivo", "Robert", "Viktor", "Šimon", "Matyáš", "Richard", "Igor", "Emil",
	"Bohuslav", "Alois", "Zbyněk", "Kryštof", "Marcel", "Ludvík", "Eduard",
	"Břetislav", "Přemysl", "Bedřich", "Arnošt", "Vilém", "Hynek", "Otakar",
	"Rostislav", "Michael", "Denis", "Samuel", "Sebastián", "Tadeáš",
	"Mikuláš", "Eliáš", "Tobiáš", "Matouš", "Jonáš", "Vratislav", "Erik",
	"Leoš", "Evžen", "Drahomír", "Bořivoj", "Čestmír", "Radovan",
}

// femaleGivenNames are common Czech female first names.
var femaleGivenNames = []string{
	"Marie", "Jana", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Věra",
	"Lucie", "Alena", "Petra", "Jaroslava", "Veronika", "Martina", "Jitka",
	"Tereza", "Ludmila", "Helena", "Michaela", "Zdeňka", "Ivana", "Jarmila",
	"Monika", "Zuzana", "Jiřina", "Markéta", "Eliška", "Marcela", "Barbora",
	"Dagmar", "Dana", "Kristýna", "Vlasta", "Irena", "Libuše", "Pavla",
	"Miroslava", "Andrea", "Marta", "Klára", "Božena", "Šárka", "Blanka",
	"Radka", "Simona", "Iveta", "Olga", "Natálie", "Adéla", "Karolína",
	"Nikola", "Pavlína", "Denisa", "Renata", "Gabriela", "Kamila", "Romana",
	"Milada", "Stanislava", "Vladimíra", "Drahomíra", "Ilona", "Soňa",
	"Magdaléna", "Aneta", "Dominika", "Sabina", "Štěpánka", "Hedvika",
	"Alžběta", "Viktorie", "Sofie", "Ema", "Julie", "Amálie", "Rozálie",
	"Emilie", "Johana", "Vendula", "Daniela", "Miloslava", "Bohumila",
	"Jindřiška", "Anežka", "Leona", "Lada", "Silvie", "Naděžda", "Kristina",
	"Radmila", "Zlata", "Taťána", "Miluše",
}

// surname is one family name in its male and female form.
type surname struct{ Male, Female string }

// surnames are common Czech family names with their female forms.
var surnames = []surname{
	{"Novák", "Nováková"}, {"Svoboda", "Svobodová"}, {"Novotný", "Novotná"},
	{"Dvořák", "Dvořáková"}, {"Černý", "Černá"}, {"Procházka", "Procházková"},
	{"Kučera", "Kučerová"}, {"Veselý", "Veselá"}, {"Horák", "Horáková"},
	{"Němec", "Němcová"}, {"Marek", "Marková"}, {"Pokorný", "Pokorná"},
	{"Pospíšil", "Pospíšilová"}, {"Hájek", "Hájková"}, {"Jelínek", "Jelínková"},
	{"Král", "Králová"}, {"Růžička", "Růžičková"}, {"Beneš", "Benešová"},
	{"Fiala", "Fialová"}, {"Sedláček", "Sedláčková"}, {"Doležal", "Doležalová"},
	{"Zeman", "Zemanová"}, {"Kolář", "Kolářová"}, {"Navrátil", "Navrátilová"},
	{"Čermák", "Čermáková"}, {"Vaněk", "Vaňková"}, {"Urban", "Urbanová"},
	{"Blažek", "Blažková"}, {"Kříž", "Křížová"}, {"Kovář", "Kovářová"},
	{"Kratochvíl", "Kratochvílová"}, {"Bartoš", "Bartošová"}, {"Vlček", "Vlčková"},
	{"Polák", "Poláková"}, {"Musil", "Musilová"}, {"Kopecký", "Kopecká"},
	{"Šimek", "Šimková"}, {"Konečný", "Konečná"}, {"Malý", "Malá"},
	{"Holub", "Holubová"}, {"Čech", "Čechová"}, {"Štěpánek", "Štěpánková"},
	{"Kadlec", "Kadlecová"}, {"Staněk", "Staňková"}, {"Dostál", "Dostálová"},
	{"Soukup", "Soukupová"}, {"Šťastný", "Šťastná"}, {"Mareš", "Marešová"},
	{"Moravec", "Moravcová"}, {"Sýkora", "Sýkorová"}, {"Tichý", "Tichá"},
	{"Valenta", "Valentová"}, {"Vávra", "Vávrová"}, {"Matoušek", "Matoušková"},
	{"Bláha", "Bláhová"}, {"Říha", "Říhová"}, {"Ševčík", "Ševčíková"},
	{"Bureš", "Burešová"}, {"Hruška", "Hrušková"}, {"Mašek", "Mašková"},
	{"Pavlík", "Pavlíková"}, {"Dušek", "Dušková"}, {"Janda", "Jandová"},
	{"Hrubý", "Hrubá"}, {"Mach", "Machová"}, {"Kubíček", "Kubíčková"},
	{"Havlíček", "Havlíčková"}, {"Zelenka", "Zelenková"}, {"Šebesta", "Šebestová"},
	{"Kašpar", "Kašparová"}, {"Adámek", "Adámková"}, {"Hanák", "Hanáková"},
	{"Stehlík", "Stehlíková"}, {"Krejčí", "Krejčí"}, {"Vacek", "Vacková"},
	{"Kubát", "Kubátová"}, {"Vojtíšek", "Vojtíšková"}, {"Pešek", "Pešková"},
	{"Richter", "Richterová"}, {"Havel", "Havlová"}, {"Kozel", "Kozlová"},
	{"Jireš", "Jirešová"}, {"Šindelář", "Šindelářová"}, {"Bednář", "Bednářová"},
	{"Tůma", "Tůmová"}, {"Hložek", "Hložková"}, {"Vondra", "Vondrová"},
	{"Kazda", "Kazdová"}, {"Skála", "Skálová"}, {"Jireček", "Jirečková"},
	{"Hora", "Horová"}, {"Šafránek", "Šafránková"}, {"Brož", "Brožová"},
	{"Kopřiva", "Kopřivová"}, {"Jeřábek", "Jeřábková"}, {"Hudec", "Hudcová"},
	{"Kalina", "Kalinová"}, {"Lukáš", "Lukášová"}, {"Barták", "Bartáková"},
	{"Klíma", "Klímová"}, {"Slavík", "Slavíková"}, {"Řezníček", "Řezníčková"},
	{"Vojáček", "Vojáčková"}, {"Dvořáček", "Dvořáčková"}, {"Sládek", "Sládková"},
	{"Koubek", "Koubková"}, {"Fišer", "Fišerová"}, {"Hrdlička", "Hrdličková"},
	{"Straka", "Straková"}, {"Kovařík", "Kovaříková"}, {"Bílek", "Bílková"},
	{"Paur", "Paurová"}, {"Tesař", "Tesařová"}, {"Mikeš", "Mikešová"},
	{"Doubrava", "Doubravová"}, {"Zíka", "Zíková"}, {"Holý", "Holá"},
	{"Pešta", "Peštová"}, {"Cihlář", "Cihlářová"}, {"Jonáš", "Jonášová"},
	{"Beran", "Beranová"}, {"Vrba", "Vrbová"}, {"Lang", "Langová"},
	{"Zajíc", "Zajícová"}, {"Kolman", "Kolmanová"}, {"Toman", "Tomanová"},
	{"Ryba", "Rybová"}, {"Smejkal", "Smejkalová"}, {"Vodička", "Vodičková"},
	{"Suchý", "Suchá"},
	{"Chalupa", "Chalupová"}, {"Charvát", "Charvátová"}, {"Rys", "Rysová"},
	{"Šorm", "Šormová"}, {"Junek", "Junková"}, {"Kroupa", "Kroupová"},
	{"Linhart", "Linhartová"}, {"Sochor", "Sochorová"}, {"Mlejnek", "Mlejnková"},
	{"Žák", "Žáková"}, {"Plachý", "Plachá"}, {"Nedvěd", "Nedvědová"},
	{"Bečvář", "Bečvářová"}, {"Hejda", "Hejdová"}, {"Macháček", "Macháčková"},
	{"Lorenc", "Lorencová"}, {"Petrů", "Petrů"}, {"Janků", "Janků"},
	{"Kohout", "Kohoutová"}, {"Vaníček", "Vaníčková"}, {"Šulc", "Šulcová"},
	{"Řehák", "Řeháková"}, {"Wagner", "Wagnerová"}, {"Šváb", "Švábová"},
}

// streetNames are street names of the kind found in any Czech town. The
// first fifteen suit a village (the generator uses only those there).
var streetNames = []string{
	// Village-like first.
	"Na Výsluní", "U Potoka", "Zahradní", "Školní", "Polní", "Lesní",
	"Hlavní", "Nádražní", "U Rybníka", "Na Návsi", "Luční", "Ke Hřbitovu",
	"Za Humny", "U Kapličky", "Pod Lesem",
	// Town streets.
	"Husova", "Masarykova", "Palackého", "Jablonecká", "28. října",
	"17. listopadu", "9. května", "1. máje", "Komenského", "Smetanova",
	"Dvořákova", "Nerudova", "Jiráskova", "Tyršova", "Havlíčkova", "Riegrova",
	"Žižkova", "Jungmannova", "Fügnerova", "Purkyňova", "Máchova", "Erbenova",
	"Kollárova", "Šafaříkova", "Dobrovského", "Hálkova", "Vrchlického",
	"Sládkova", "Janáčkova", "Křižíkova", "Heyrovského", "Čelakovského",
	"Nezvalova", "Seifertova", "Wolkerova", "Mánesova", "Alšova", "Tylova",
	"Myslbekova", "Boženy Němcové", "Karla Čapka", "Bratří Čapků",
	"Karoliny Světlé", "Elišky Krásnohorské", "Jana Palacha", "Třebízského",
	"Svatopluka Čecha", "Bezručova", "Sokolská", "Revoluční", "Legionářů",
	"Zborovská", "Československé armády", "třída Míru", "třída Svobody",
	"náměstí Míru", "Masarykovo náměstí", "Husovo náměstí", "Mírové náměstí",
	"Tyršovo náměstí", "Pražská", "Brněnská", "Olomoucká", "Plzeňská",
	"Liberecká", "Pardubická", "Kolínská", "Hradecká", "Budějovická",
	"Jihlavská", "Táborská", "Benešovská", "Písecká", "Klatovská",
	"Mělnická", "Kladenská", "Zlínská", "Opavská", "Mírová", "Družstevní",
	"Průmyslová", "Tovární", "Dělnická", "Hornická", "Sportovní", "Sídlištní",
	"Nová", "Stará", "Příčná", "Krátká", "Dlouhá", "Úzká", "Široká", "Horní",
	"Dolní", "Slunečná", "Jarní", "Letní", "Větrná", "Květná", "Růžová",
	"Lipová", "Jabloňová", "Třešňová", "Višňová", "Ořechová", "Březová",
	"Dubová", "Javorová", "Buková", "Habrová", "Smrková", "Kaštanová",
	"Topolová", "Sadová", "Mlýnská", "Kostelní", "Farní", "Zámecká",
	"Radniční", "Tržní", "Poštovní", "Nemocniční", "Lázeňská", "Cihlářská",
	"Kovářská", "Pekařská", "Soukenická", "Hrnčířská", "Sklářská",
	"Okružní", "Spojovací", "Vodárenská", "Kasárenská", "Vítězná",
	"Na Příkopě", "Na Kopci", "Na Vyhlídce", "Na Stráni", "Na Louce",
	"Na Hrázi", "Na Pískách", "Na Ohradě", "U Mlýna", "U Hřiště", "U Školy",
	"U Kostela", "U Nádraží", "U Pošty", "U Lípy", "U Stadionu", "U Cihelny",
	"U Pily", "U Trati", "U Zámku", "U Studánky", "U Splavu", "U Koupaliště",
	"U Sokolovny", "Pod Hájem", "Pod Zámkem", "Pod Vinicí", "Pod Lipami",
	"Za Školou", "Za Kostelem", "Za Mlýnem", "Nad Přehradou", "Nad Nádražím",
	"Nad Potokem", "K Lesu", "K Rybníku", "Ke Koupališti", "Ke Stadionu",
	"V Zahradách", "V Úvoze", "V Polích", "V Aleji", "V Zátiší", "V Lukách",
}

// cityDistricts are invented but plausible parts of a city.
var cityDistricts = []string{
	"Staré Město", "Nové Město", "Horní Předměstí", "Dolní Předměstí",
	"Pražské Předměstí", "Dolní Ves", "Horní Ves", "Nová Ves", "Podhradí",
	"Zálesí", "Zahrádky", "Lhotka", "Dubina", "Březiny", "Vinice", "Letná",
	"Na Výšinách", "Kopaniny", "Habřina", "Rybníčky", "Stráně", "Stará Huť",
	"Chaloupky", "Horka", "Radlovice", "Bučice", "Hliníky", "Lesná",
	"Sídliště Jih", "Sídliště Sever", "Kamenná Lhota", "Mlýnice",
}

// villageParts are the parts (místní části) of a small village.
var villageParts = []string{"Dolní Lhota", "Horní Lhota", "Paseky", "Zábřezí"}

// companyForms are legal-form suffixes of Czech business and association
// names.
var companyForms = []string{"s.r.o.", "a.s.", "v.o.s.", "z.s.", "k.s."}

// companyPatterns are company names with one %s for a surname in the
// nominative (male form).
var companyPatterns = []string{
	"Stavby %s", "Pekařství %s", "%s a syn", "%s a synové", "Autoservis %s",
	"Truhlářství %s", "Zahradnictví %s", "Instalatérství %s", "Elektro %s",
	"Malířství %s", "Řeznictví %s", "Kovovýroba %s", "Zámečnictví %s",
	"Pokrývačství %s", "Tesařství %s", "Klempířství %s", "Autodoprava %s",
	"Stavební firma %s", "Realitní kancelář %s", "Účetnictví %s",
	"Advokátní kancelář %s", "Podlahy %s", "Okna %s", "Střechy %s",
	"Farma %s", "Vinařství %s", "Pneuservis %s", "Kamenictví %s",
	"Sklenářství %s", "Čalounictví %s", "Potraviny %s", "Kavárna %s",
	"Rodinná firma %s", "Studio %s", "%s a partneři", "Kadeřnictví %s",
}

// dogNames are names Czech owners give their dogs.
var dogNames = []string{
	"Rex", "Alík", "Bety", "Azor", "Max", "Bobík", "Brok", "Ben", "Baryk",
	"Punťa", "Lord", "Rek", "Hafík", "Cézar", "Dingo", "Fido", "Bady", "Oskar",
	"Bruno", "Amor", "Arny", "Ajka", "Aida", "Bára", "Bella", "Cita", "Dora",
	"Gina", "Lady", "Lola", "Mája", "Nela", "Sára", "Tara", "Ťapka", "Flíček",
	"Kuba", "Šmudla", "Čiko", "Rony", "Tyson", "Asta", "Jerry", "Bak", "Eda",
	"Dasty", "Bessy", "Cindy",
}

// dogBreeds are dog breeds as written in Czech.
var dogBreeds = []string{
	"kříženec", "německý ovčák", "labradorský retrívr", "zlatý retrívr",
	"jezevčík", "jorkšírský teriér", "bígl", "border kolie", "čivava",
	"francouzský buldoček", "knírač", "pudl", "český fousek", "český teriér",
	"pražský krysařík", "chodský pes", "bernský salašnický pes", "boxer",
	"dobrman", "rotvajler", "anglický kokršpaněl", "maltézský psík",
	"západoskotský bílý teriér", "sibiřský husky", "německá doga", "bišonek",
	"jack russell teriér", "belgický ovčák", "australský ovčák", "mops",
	"československý vlčák", "dalmatin", "šeltie", "bulteriér",
}
