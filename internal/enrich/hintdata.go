package enrich

// Hand-kept tables for reading router hostnames. Coordinates are city centres, rounded to 0.01°.

func pl(city, cc string, lat, lon float64) place {
	return place{city: city, country: cc, lat: lat, lon: lon, large: true}
}

// codeCityNames renames airports whose OurAirports municipality is not the city that routers name.
var codeCityNames = map[string]string{
	"hkg": "Hong Kong", "nrt": "Tokyo", "iad": "Washington", "fra": "Frankfurt", "dfw": "Dallas",
	"gig": "Rio de Janeiro", "ewr": "Newark", "hel": "Helsinki", "osl": "Oslo", "bru": "Brussels",
	"cph": "Copenhagen", "kix": "Osaka", "mxp": "Milan", "lin": "Milan",
}

// curatedCities are spelled-out names seen in router hostnames: the big interconnection metros (with
// centre coordinates, better than an airport's) and local-language or carrier spellings.
var curatedCities = map[string]place{
	"paris": pl("Paris", "FR", 48.86, 2.35), "parigi": pl("Paris", "FR", 48.86, 2.35),
	"marseille": pl("Marseille", "FR", 43.30, 5.37), "marseilles": pl("Marseille", "FR", 43.30, 5.37),
	"lyon": pl("Lyon", "FR", 45.76, 4.84), "london": pl("London", "GB", 51.51, -0.13), "londra": pl("London", "GB", 51.51, -0.13),
	"manchester": pl("Manchester", "GB", 53.48, -2.24), "slough": pl("Slough", "GB", 51.51, -0.59),
	"frankfurt": pl("Frankfurt", "DE", 50.11, 8.68), "francoforte": pl("Frankfurt", "DE", 50.11, 8.68),
	"amsterdam": pl("Amsterdam", "NL", 52.37, 4.90), "brussels": pl("Brussels", "BE", 50.85, 4.35),
	"bruxelles": pl("Brussels", "BE", 50.85, 4.35), "brussel": pl("Brussels", "BE", 50.85, 4.35),
	"stockholm": pl("Stockholm", "SE", 59.33, 18.07), "stoccolma": pl("Stockholm", "SE", 59.33, 18.07),
	"copenhagen": pl("Copenhagen", "DK", 55.68, 12.57), "kobenhavn": pl("Copenhagen", "DK", 55.68, 12.57),
	"oslo": pl("Oslo", "NO", 59.91, 10.75), "helsinki": pl("Helsinki", "FI", 60.17, 24.94),
	"milan": pl("Milan", "IT", 45.46, 9.19), "milano": pl("Milan", "IT", 45.46, 9.19),
	"rome": pl("Rome", "IT", 41.90, 12.50), "roma": pl("Rome", "IT", 41.90, 12.50),
	"torino": pl("Turin", "IT", 45.07, 7.69), "palermo": pl("Palermo", "IT", 38.12, 13.36),
	"madrid": pl("Madrid", "ES", 40.42, -3.70), "barcelona": pl("Barcelona", "ES", 41.39, 2.17),
	"lisbon": pl("Lisbon", "PT", 38.72, -9.14), "lisboa": pl("Lisbon", "PT", 38.72, -9.14),
	"vienna": pl("Vienna", "AT", 48.21, 16.37), "wien": pl("Vienna", "AT", 48.21, 16.37),
	"zurich": pl("Zurich", "CH", 47.38, 8.54), "zuerich": pl("Zurich", "CH", 47.38, 8.54),
	"geneva": pl("Geneva", "CH", 46.20, 6.14), "geneve": pl("Geneva", "CH", 46.20, 6.14),
	"munich": pl("Munich", "DE", 48.14, 11.58), "muenchen": pl("Munich", "DE", 48.14, 11.58),
	"munchen": pl("Munich", "DE", 48.14, 11.58), "berlin": pl("Berlin", "DE", 52.52, 13.40),
	"hamburg": pl("Hamburg", "DE", 53.55, 9.99), "dusseldorf": pl("Düsseldorf", "DE", 51.23, 6.77),
	"duesseldorf": pl("Düsseldorf", "DE", 51.23, 6.77), "cologne": pl("Cologne", "DE", 50.94, 6.96),
	"koeln": pl("Cologne", "DE", 50.94, 6.96), "prague": pl("Prague", "CZ", 50.08, 14.44),
	"praha": pl("Prague", "CZ", 50.08, 14.44), "warsaw": pl("Warsaw", "PL", 52.23, 21.01),
	"warszawa": pl("Warsaw", "PL", 52.23, 21.01), "budapest": pl("Budapest", "HU", 47.50, 19.04),
	"bucharest": pl("Bucharest", "RO", 44.43, 26.10), "sofia": pl("Sofia", "BG", 42.70, 23.32),
	"athens": pl("Athens", "GR", 37.98, 23.73), "istanbul": pl("Istanbul", "TR", 41.01, 28.98),
	"moscow": pl("Moscow", "RU", 55.76, 37.62), "moskva": pl("Moscow", "RU", 55.76, 37.62),
	"kyiv": pl("Kyiv", "UA", 50.45, 30.52), "kiev": pl("Kyiv", "UA", 50.45, 30.52),
	"dublin": pl("Dublin", "IE", 53.35, -6.26), "newyork": pl("New York", "US", 40.71, -74.01),
	"ashburn": pl("Ashburn", "US", 39.04, -77.49), "washington": pl("Washington", "US", 38.91, -77.04),
	"chicago": pl("Chicago", "US", 41.88, -87.63), "dallas": pl("Dallas", "US", 32.78, -96.80),
	"losangeles": pl("Los Angeles", "US", 34.05, -118.24), "sanjose": pl("San Jose", "US", 37.34, -121.89),
	"santaclara": pl("Santa Clara", "US", 37.35, -121.96), "paloalto": pl("Palo Alto", "US", 37.44, -122.14),
	"sanfrancisco": pl("San Francisco", "US", 37.77, -122.42), "seattle": pl("Seattle", "US", 47.61, -122.33),
	"miami": pl("Miami", "US", 25.76, -80.19), "atlanta": pl("Atlanta", "US", 33.75, -84.39),
	"denver": pl("Denver", "US", 39.74, -104.99), "toronto": pl("Toronto", "CA", 43.65, -79.38),
	"montreal": pl("Montreal", "CA", 45.50, -73.57), "vancouver": pl("Vancouver", "CA", 49.28, -123.12),
	"saopaulo": pl("São Paulo", "BR", -23.55, -46.63), "singapore": pl("Singapore", "SG", 1.29, 103.85),
	"hongkong": pl("Hong Kong", "HK", 22.32, 114.17), "tokyo": pl("Tokyo", "JP", 35.68, 139.69),
	"osaka": pl("Osaka", "JP", 34.69, 135.50), "seoul": pl("Seoul", "KR", 37.57, 126.98),
	"taipei": pl("Taipei", "TW", 25.03, 121.57), "mumbai": pl("Mumbai", "IN", 19.08, 72.88),
	"chennai": pl("Chennai", "IN", 13.08, 80.27), "sydney": pl("Sydney", "AU", -33.87, 151.21),
	"melbourne": pl("Melbourne", "AU", -37.81, 144.96), "dubai": pl("Dubai", "AE", 25.20, 55.27),
	"fujairah": pl("Fujairah", "AE", 25.13, 56.33), "johannesburg": pl("Johannesburg", "ZA", -26.20, 28.05),
	"jakarta": pl("Jakarta", "ID", -6.21, 106.85), "kualalumpur": pl("Kuala Lumpur", "MY", 3.14, 101.69),
	"bangkok": pl("Bangkok", "TH", 13.76, 100.50), "manila": pl("Manila", "PH", 14.60, 120.98),
}

// metroCodes are IATA metropolitan-area codes (not airports) and widely used non-IATA abbreviations.
var metroCodes = map[string]place{
	"par": pl("Paris", "FR", 48.86, 2.35), "lon": pl("London", "GB", 51.51, -0.13),
	"ldn": pl("London", "GB", 51.51, -0.13), "nyc": pl("New York", "US", 40.71, -74.01),
	"tyo": pl("Tokyo", "JP", 35.68, 139.69), "tok": pl("Tokyo", "JP", 35.68, 139.69),
	"osa": pl("Osaka", "JP", 34.69, 135.50), "mil": pl("Milan", "IT", 45.46, 9.19),
	"rom": pl("Rome", "IT", 41.90, 12.50), "sto": pl("Stockholm", "SE", 59.33, 18.07),
	"was": pl("Washington", "US", 38.91, -77.04), "chi": pl("Chicago", "US", 41.88, -87.63),
	"mow": pl("Moscow", "RU", 55.76, 37.62), "sao": pl("São Paulo", "BR", -23.55, -46.63),
	"rio": pl("Rio de Janeiro", "BR", -22.91, -43.17), "bue": pl("Buenos Aires", "AR", -34.60, -58.38),
	"yto": pl("Toronto", "CA", 43.65, -79.38), "ymq": pl("Montreal", "CA", 45.50, -73.57),
	"sel": pl("Seoul", "KR", 37.57, 126.98), "bjs": pl("Beijing", "CN", 39.90, 116.41),
	"jkt": pl("Jakarta", "ID", -6.21, 106.85), "buh": pl("Bucharest", "RO", 44.43, 26.10),
	"ash": pl("Ashburn", "US", 39.04, -77.49), "spb": pl("Saint Petersburg", "RU", 59.94, 30.31),
	"ffm": pl("Frankfurt", "DE", 50.11, 8.68), "fra": pl("Frankfurt", "DE", 50.11, 8.68),
	"ams": pl("Amsterdam", "NL", 52.37, 4.90), "sin": pl("Singapore", "SG", 1.29, 103.85),
	"hkg": pl("Hong Kong", "HK", 22.32, 114.17),
}

// clliCodes are the first six letters of CLLI-style site codes (city + state or country), as used by
// AT&T, Verizon and NTT ("sntcca", "parsfr04", "tokyjp05"): the checked ones, and those outside North
// America or that the rule in cityAbbrevs does not derive ("nycmny", "snfcca"). The gazetteer gives the rest.
var clliCodes = map[string]place{
	"nycmny": pl("New York", "US", 40.71, -74.01), "nyclny": pl("New York", "US", 40.71, -74.01),
	"asbnva": pl("Ashburn", "US", 39.04, -77.49),
	"chcgil": pl("Chicago", "US", 41.88, -87.63), "dllstx": pl("Dallas", "US", 32.78, -96.80),
	"lsanca": pl("Los Angeles", "US", 34.05, -118.24), "snjsca": pl("San Jose", "US", 37.34, -121.89),
	"sntcca": pl("Santa Clara", "US", 37.35, -121.96), "plalca": pl("Palo Alto", "US", 37.44, -122.14),
	"snfcca": pl("San Francisco", "US", 37.77, -122.42), "sttlwa": pl("Seattle", "US", 47.61, -122.33),
	"atlnga": pl("Atlanta", "US", 33.75, -84.39), "miamfl": pl("Miami", "US", 25.76, -80.19),
	"hstntx": pl("Houston", "US", 29.76, -95.37), "dnvrco": pl("Denver", "US", 39.74, -104.99),
	"phnxaz": pl("Phoenix", "US", 33.45, -112.07), "bstnma": pl("Boston", "US", 42.36, -71.06),
	"phlapa": pl("Philadelphia", "US", 39.95, -75.17), "nwrknj": pl("Newark", "US", 40.74, -74.17),
	"washdc": pl("Washington", "US", 38.91, -77.04), "wchsdc": pl("Washington", "US", 38.91, -77.04),
	"kscymo": pl("Kansas City", "US", 39.10, -94.58), "mplsmn": pl("Minneapolis", "US", 44.98, -93.27),
	"slkcut": pl("Salt Lake City", "US", 40.76, -111.89), "sndgca": pl("San Diego", "US", 32.72, -117.16),
	"prtlor": pl("Portland", "US", 45.52, -122.68), "ptldor": pl("Portland", "US", 45.52, -122.68),
	"snvaca": pl("Sunnyvale", "US", 37.37, -122.04), // "….snvaca.pacificwave.net"; the rule derives "snnyca"
	"dtrtmi": pl("Detroit", "US", 42.33, -83.05),
	"lsvgnv": pl("Las Vegas", "US", 36.17, -115.14), "austtx": pl("Austin", "US", 30.27, -97.74),
	"parsfr": pl("Paris", "FR", 48.86, 2.35), "frnkge": pl("Frankfurt", "DE", 50.11, 8.68),
	"frnkde": pl("Frankfurt", "DE", 50.11, 8.68), "amstnl": pl("Amsterdam", "NL", 52.37, 4.90),
	"londen": pl("London", "GB", 51.51, -0.13), "mlanit": pl("Milan", "IT", 45.46, 9.19),
	"mdrdsp": pl("Madrid", "ES", 40.42, -3.70), "sngpsi": pl("Singapore", "SG", 1.29, 103.85),
	"tokyjp": pl("Tokyo", "JP", 35.68, 139.69), "osakjp": pl("Osaka", "JP", 34.69, 135.50),
	"sydnau": pl("Sydney", "AU", -33.87, 151.21), "vienat": pl("Vienna", "AT", 48.21, 16.37),
	"hkgnhk": pl("Hong Kong", "HK", 22.32, 114.17), "tkokhk": pl("Hong Kong", "HK", 22.32, 114.17),
}

// teliaCodes are Arelion (Telia Carrier, AS1299) site codes, which are not IATA ("las" is Los Angeles).
var teliaCodes = map[string]place{
	"s": pl("Stockholm", "SE", 59.33, 18.07), "sto": pl("Stockholm", "SE", 59.33, 18.07),
	"kbn": pl("Copenhagen", "DK", 55.68, 12.57), "nyk": pl("New York", "US", 40.71, -74.01),
	"palo": pl("Palo Alto", "US", 37.44, -122.14), // "palo-b22-link.telia.net"
	"ash":  pl("Ashburn", "US", 39.04, -77.49), "las": pl("Los Angeles", "US", 34.05, -118.24),
	"sjo": pl("San Jose", "US", 37.34, -121.89), "prs": pl("Paris", "FR", 48.86, 2.35),
	"ffm": pl("Frankfurt", "DE", 50.11, 8.68), "ldn": pl("London", "GB", 51.51, -0.13),
	"hbg": pl("Hamburg", "DE", 53.55, 9.99), "adm": pl("Amsterdam", "NL", 52.37, 4.90),
	"chi": pl("Chicago", "US", 41.88, -87.63), "dls": pl("Dallas", "US", 32.78, -96.80),
	"mil": pl("Milan", "IT", 45.46, 9.19), "mad": pl("Madrid", "ES", 40.42, -3.70),
	"vie": pl("Vienna", "AT", 48.21, 16.37), "hls": pl("Helsinki", "FI", 60.17, 24.94),
	"osl": pl("Oslo", "NO", 59.91, 10.75), "mno": pl("Marseille", "FR", 43.30, 5.37),
	"sea": pl("Seattle", "US", 47.61, -122.33), "mia": pl("Miami", "US", 25.76, -80.19),
	"atl": pl("Atlanta", "US", 33.75, -84.39), "bpt": pl("Budapest", "HU", 47.50, 19.04),
	"war": pl("Warsaw", "PL", 52.23, 21.01), "prag": pl("Prague", "CZ", 50.08, 14.44),
}

// carrier is what a router name's domain says about its operator.
type carrier struct {
	asn uint32
	// iata is true when the operator names sites with IATA codes, so medium-sized airports count too.
	iata bool
	// codes, when set, are the operator's own site codes, tried before IATA codes (a token's letters,
	// or its first five characters: "sd2ca21crs").
	codes map[string]place
	// abbrev, when set, is the country whose four-letter city abbreviations the operator uses ("GB":
	// "lutn" Luton); see cityAbbrevs.
	abbrev string
	// countryLabels is true when the operator writes each site's country after its code
	// ("mx1.gen.ch.geant.net"), so a code of another country's place is none.
	countryLabels bool
	// site, when set, is the one city all the operator's routers are in (a campus network, a city's
	// access network): it places a name whose host labels give no site code.
	site place
	// routerPrefix, when set, starts the operator's router names that carry a three-letter site code
	// after one more letter and before a two-letter building code and the router number (Telxius'
	// "grtmiabr3": "gr" + "t" + "mia" + "br" + 3); the site code is looked up in codes.
	routerPrefix string
	// regionLabels is true when the labels after the router are the operator's own region codes, never a
	// country (Shaw's ".cl." is its California region, not Chile).
	regionLabels bool
	// codePrefix is true when the operator's router tokens start with a three-letter site code followed
	// by role letters and a number (KDDI's "fkoBBAR001": Fukuoka, backbone access router 001).
	codePrefix bool
	// campus is true for a university's network, whose router names call buildings after people
	// ("anderson"): a spelled-out town there gives way to the site (see findPlace).
	campus bool
}

// carriers maps a domain suffix to its operator.
var carriers = map[string]carrier{
	"he.net":                        {asn: 6939, iata: true},
	"level3.net":                    {asn: 3356},
	"lumen.tech":                    {asn: 3356},
	"twelve99.net":                  {asn: 1299, iata: true, codes: teliaCodes}, // newer sites by IATA code ("phx-b5", "lax-b22")
	"telia.net":                     {asn: 1299, iata: true, codes: teliaCodes},
	"arelion.net":                   {asn: 1299, iata: true, codes: teliaCodes},
	"ntt.net":                       {asn: 2914, iata: true},
	"cogentco.com":                  {asn: 174, iata: true},
	"as6453.net":                    {asn: 6453},
	"zayo.com":                      {asn: 6461, iata: true, codes: zayoCodes},
	"gtt.net":                       {asn: 3257, iata: true, codes: gttCodes},
	"shawcable.net":                 {asn: 6327, codes: shawCodes, regionLabels: true},
	"opentransit.net":               {asn: 5511},
	"pccwbtn.net":                   {asn: 3491, iata: true},
	"pccwglobal.net":                {asn: 3491},
	"seabone.net":                   {asn: 6762, iata: true, codes: sparkleCodes},
	"retn.net":                      {asn: 9002, iata: true, codes: retnCodes, countryLabels: true},
	"telstraglobal.net":             {asn: 4637, iata: true, codes: telstraGlobalCodes},
	"kddi.ne.jp":                    {asn: 2516, codes: kddiCodes, codePrefix: true},
	"1e100.net":                     {asn: 15169, iata: true, codes: googleCodes},
	"ntwk.msn.net":                  {asn: 8075, iata: true},
	"tfbnw.net":                     {asn: 32934, iata: true},
	"facebook.com":                  {asn: 32934, iata: true},
	"hetzner.com":                   {asn: 24940, iata: true},
	"sunet.se":                      {asn: 1653},
	"nordu.net":                     {asn: 2603, codes: norduCodes},
	"virginmedia.net":               {asn: 5089, abbrev: "GB"},
	"rbci.orange.net":               {asn: 3215},
	"telefonicaglobalsolutions.com": {asn: 12956},
	"telefonica-wholesale.net":      {asn: 12956, codes: telxiusCodes, routerPrefix: "gr"},
	"tiws.net":                      {asn: 12956, codes: telxiusCodes, routerPrefix: "gr"}, // Telefónica International Wholesale Services
	"maxnet.ua":                     {codes: maxnetCodes},
	"sbcglobal.net":                 {asn: 7018},
	"att.net":                       {asn: 7018, codes: attCodes},
	"dtag.de":                       {asn: 3320, codes: dtagCodes},
	"dfn.de":                        {asn: 680, codes: dfnCodes, abbrev: "DE"},
	"alter.net":                     {asn: 701},
	"comcast.net":                   {asn: 7922, codes: comcastCodes},
	"init7.net":                     {asn: 13030, iata: true, codes: init7Codes},
	"internet2.edu":                 {asn: 11537, codes: internet2Codes},
	"nysernet.net":                  {asn: 3754},
	"aarnet.net.au":                 {asn: 7575, codes: aarnetCodes},
	"geant.net":                     {asn: 20965, codes: geantCodes, countryLabels: true},
	"usi.ch":                        {codes: usiCodes},
	"teksavvy.com":                  {asn: 5645, codes: teksavvyCodes},
	"geant2.net":                    {asn: 20965, codes: geantCodes, countryLabels: true}, // GÉANT's older domain
	"embratel.net.br":               {asn: 4230, codes: embratelCodes},
	"fr.eu":                         {codes: ovhCodes}, // OVHcloud's backbone names ("rbx-g2-a9.fr.eu")
	"global-gateway.net.nz":         {asn: 4648, codes: sparkCodes},
	"ctgnet":                        {asn: 23764, iata: true}, // China Telecom Global's names as NextTrace shows them
	"core-backbone.net":             {asn: 33891},
	"optusnet.com.au":               {asn: 4804},
	"akamaitechnologies.com":        {asn: 20940},
	"amazonaws.com":                 {asn: 16509},
	"github.com":                    {asn: 36459},
	"wikimedia.org":                 {asn: 14907, codes: wikimediaCodes},
	"iij.net":                       {asn: 2497, codes: iijCodes},
	"qwest.net":                     {asn: 209, codes: qwestCodes},
	"ukcore.bt.net":                 {asn: 2856, codes: btCodes},
	"ja.net":                        {asn: 786, codes: janetCodes},
	"ertelecom.ru":                  {codes: ertelecomCodes},
	"aussiebb.net":                  {asn: 4764, codes: aussiebbCodes},
	"ubermanage.net":                {codes: teracoCodes},
	"edgecastcdn.net":               {asn: 15133, codes: edgecastCodes},
	// Networks of one city: a campus (building names after people: "anderson--cr00f2.csb1.ucla.net")
	// or a city's access network.
	"ucla.net":          {asn: 52, site: pl("Los Angeles", "US", 34.07, -118.44), campus: true},
	"vnpt-hanoi.com.vn": {site: pl("Hanoi", "VN", 21.03, 105.85)},
}

// wikimediaCodes are Wikimedia's data centre names (text-lb.esams.wikimedia.org: Amsterdam).
var wikimediaCodes = map[string]place{
	"eqiad": pl("Ashburn", "US", 39.04, -77.49), "codfw": pl("Carrollton", "US", 32.95, -96.89),
	"esams": pl("Amsterdam", "NL", 52.37, 4.90), "ulsfo": pl("San Francisco", "US", 37.77, -122.42),
	"eqsin": pl("Singapore", "SG", 1.29, 103.85), "drmrs": pl("Marseille", "FR", 43.30, 5.37),
	"magru": pl("São Paulo", "BR", -23.55, -46.63),
}

// roleWords are three-letter tokens that router names use for roles, interfaces and products and that
// also happen to be IATA codes; they never give a place.
var roleWords = map[string]bool{
	"agg": true, "acc": true, "asr": true, "bar": true, "bbr": true, "bdr": true, "bng": true,
	"bor": true, "brd": true, "car": true, "ccr": true, "cdn": true, "cor": true, "cpe": true, "csr": true,
	"csw": true, "cus": true, "dcr": true, "dsl": true, "dsw": true, "ear": true, "edg": true, "eth": true,
	"fab": true, "gig": true, "gsr": true, "gwy": true, "hsa": true, "hub": true, "ibr": true, "icr": true,
	"ier": true, "int": true, "isp": true, "lag": true, "lan": true, "lab": true, "lbr": true, "man": true,
	"mgt": true, "mpr": true, "msr": true, "nat": true, "net": true, "ngn": true, "nni": true, "olt": true,
	"pat": true, "pni": true, "pop": true, "pos": true, "ppp": true, "psw": true, "pub": true, "rar": true,
	"rbr": true, "rtr": true, "sbc": true, "sbr": true, "scr": true, "ser": true, "spr": true, "srv": true,
	"ssr": true, "swi": true, "tcr": true, "ten": true, "tge": true, "tor": true, "uni": true, "var": true,
	"vpn": true, "vrf": true, "wan": true, "web": true, "www": true, "xcr": true, "xgw": true, "cab": true,
	"dyn": true, "res": true, "biz": true, "com": true, "org": true, "gov": true, "edu": true, "sip": true,
	"bgp": true, "ipv": true, "sta": true, "sdn": true, "bbn": true, "ibn": true, "shv": true, "gin": true,
	"ptp": true, "cst": true, "ded": true, "cust": true, "fib": true, "cgn": true, "mpls": true, "adm": true,
	"sun": true, "the": true, "and": true, "air": true, "ltu": true, "ae": true, "xe": true, "ge": true,
	"core": true, "gw": true, "rbci": true, "ncidf": true, "nenly": true, "sym": true, "emp": true,
	"crs": true, "igw": true, "per": true, "ix": true, "nap": true, "ipt": true, "lns": true, "cmts": true, "static": true,
	"fre": true, "tel": true, "ptr": true, "rev": true, "abr": true, "tr": true, "dc": true, "vlan": true,
	"loop": true, "mgmt": true, "irb": true, "lo": true, "cr": true, "ar": true, "br": true, "pe": true,
	"pbr": true, // policy-based routing ("kecd2-lg11c1-pbr-c1")
}

// cityStopwords are city names that are also words in router names or operator names.
var cityStopwords = map[string]bool{
	"orange": true, "mobile": true, "nice": true, "split": true, "eagle": true, "horn": true, "mesa": true,
	"mary": true, "savoy": true, "george": true, "nelson": true, "monroe": true, "quincy": true, "david": true,
	"victoria": true, "union": true, "central": true, "page": true, "hope": true, "marathon": true,
	"bethel": true, "gateway": true, "cloud": true, "edge": true, "core": true, "static": true, "cable": true,
	"ogle": true, "tame": true, "sari": true, "cruz": true, "flor": true, "coca": true, "gaya": true,
	"wick": true, "mora": true, "natal": true, "lages": true, "ponce": true, "mopa": true, "bole": true,
	"sale": true, "boos": true, "reus": true, "tours": true, "brest": true, "benin": true, "marathi": true,
	"kerema": true, "fare": true, "alta": true, "pasco": true, "ogden": true, "tyler": true, "hobbs": true,
	"flint": true, "butte": true, "casper": true, "dole": true, "bunia": true, "mendi": true, "akron": true,
	"dryden": true, "gander": true, "islands": true, "newman": true, "paro": true, "zora": true,
	// Words of institutions and networks: "princeton-university.…", Internet2's old backbone "abilene"
	// ("kscy-denv.abilene.ucaid.edu"), "metro" links, operators named Sunrise, Rogers, Liberty. A
	// multi-word city keeps its whole name ("collegestation", "atlanticcity").
	"university": true, "college": true, "national": true, "federal": true, "metro": true, "atlantic": true,
	"abilene": true, "enterprise": true, "liberty": true, "sunrise": true, "rogers": true,
}

// cloudRegions are AWS region names, which appear in EC2 reverse names.
var cloudRegions = map[string]place{
	"us-east-1": pl("Ashburn", "US", 39.04, -77.49), "us-east-2": pl("Columbus", "US", 39.96, -83.00),
	"us-west-1": pl("San Jose", "US", 37.34, -121.89), "us-west-2": pl("Portland", "US", 45.52, -122.68),
	"ca-central-1": pl("Montreal", "CA", 45.50, -73.57), "sa-east-1": pl("São Paulo", "BR", -23.55, -46.63),
	"eu-west-1": pl("Dublin", "IE", 53.35, -6.26), "eu-west-2": pl("London", "GB", 51.51, -0.13),
	"eu-west-3": pl("Paris", "FR", 48.86, 2.35), "eu-central-1": pl("Frankfurt", "DE", 50.11, 8.68),
	"eu-north-1": pl("Stockholm", "SE", 59.33, 18.07), "eu-south-1": pl("Milan", "IT", 45.46, 9.19),
	"ap-northeast-1": pl("Tokyo", "JP", 35.68, 139.69), "ap-northeast-2": pl("Seoul", "KR", 37.57, 126.98),
	"ap-northeast-3": pl("Osaka", "JP", 34.69, 135.50), "ap-southeast-1": pl("Singapore", "SG", 1.29, 103.85),
	"ap-southeast-2": pl("Sydney", "AU", -33.87, 151.21), "ap-south-1": pl("Mumbai", "IN", 19.08, 72.88),
	"ap-east-1": pl("Hong Kong", "HK", 22.32, 114.17), "me-south-1": pl("Manama", "BH", 26.23, 50.59),
	"af-south-1": pl("Cape Town", "ZA", -33.92, 18.42),
}

// abbrevCountries are the countries whose four-letter city abbreviations are generated (see
// cityAbbrevs); a carrier with abbrev set reads them ("lutn-core-2a.network.virginmedia.net" → Luton).
var abbrevCountries = map[string]bool{"GB": true, "DE": true}

// cityStates are countries that are one city, so a code the country confirms places the hop in it.
var cityStates = map[string]place{
	"HK": pl("Hong Kong", "HK", 22.32, 114.17), "SG": pl("Singapore", "SG", 1.29, 103.85),
	"MO": pl("Macau", "MO", 22.20, 113.54), "MC": pl("Monaco", "MC", 43.74, 7.42),
}

// attCodes are AT&T backbone (ip.att.net) city codes: five characters, three for the city and two for
// the state, at the start of a router token ("sffca22crs", "sd2ca21crs", "cr2.cgcil.ip.att.net").
var attCodes = map[string]place{
	"sffca": pl("San Francisco", "US", 37.77, -122.42), "sd2ca": pl("San Diego", "US", 32.72, -117.16),
	"la2ca": pl("Los Angeles", "US", 34.05, -118.24), "sj2ca": pl("San Jose", "US", 37.34, -121.89),
	"cgcil": pl("Chicago", "US", 41.88, -87.63), "n54ny": pl("New York", "US", 40.71, -74.01),
	"attga": pl("Atlanta", "US", 33.75, -84.39), "dlstx": pl("Dallas", "US", 32.78, -96.80),
	"hs1tx": pl("Houston", "US", 29.76, -95.37), "sl9mo": pl("St. Louis", "US", 38.63, -90.20),
	"kc9mo": pl("Kansas City", "US", 39.10, -94.58), "wswdc": pl("Washington", "US", 38.91, -77.04),
	"cl2oh": pl("Cleveland", "US", 41.50, -81.69), "dvmco": pl("Denver", "US", 39.74, -104.99),
	"st6wa": pl("Seattle", "US", 47.61, -122.33), "st0wa": pl("Seattle", "US", 47.61, -122.33),
	"phmaz": pl("Phoenix", "US", 33.45, -112.07),
	"ormfl": pl("Orlando", "US", 28.54, -81.38), "dtrmi": pl("Detroit", "US", 42.33, -83.05),
	"ptdor": pl("Portland", "US", 45.52, -122.68),
}

// dtagCodes are Deutsche Telekom (dtag.de) city codes, the German licence-plate letters
// ("f-ed11-i.F.DE.NET.DTAG.DE" → Frankfurt).
var dtagCodes = map[string]place{
	"f": pl("Frankfurt", "DE", 50.11, 8.68), "b": pl("Berlin", "DE", 52.52, 13.40),
	"hh": pl("Hamburg", "DE", 53.55, 9.99), "m": pl("Munich", "DE", 48.14, 11.58),
	"k": pl("Cologne", "DE", 50.94, 6.96), "d": pl("Düsseldorf", "DE", 51.23, 6.77),
	"s": pl("Stuttgart", "DE", 48.78, 9.18), "l": pl("Leipzig", "DE", 51.34, 12.37),
	"n": pl("Nuremberg", "DE", 49.45, 11.08), "h": pl("Hanover", "DE", 52.37, 9.74),
	"dd": pl("Dresden", "DE", 51.05, 13.74), "hb": pl("Bremen", "DE", 53.08, 8.80),
}

// dfnCodes are DFN (X-WiN, dfn.de) site codes: three letters for the city or campus, then a router
// number ("zr-pot1" Potsdam, "xr-tub1" TU Berlin).
var dfnCodes = map[string]place{
	"pot": pl("Potsdam", "DE", 52.40, 13.07), "tub": pl("Berlin", "DE", 52.52, 13.40),
	"hub": pl("Berlin", "DE", 52.52, 13.40), "fra": pl("Frankfurt", "DE", 50.11, 8.68),
	"han": pl("Hanover", "DE", 52.37, 9.74), "ham": pl("Hamburg", "DE", 53.55, 9.99),
	"lei": pl("Leipzig", "DE", 51.34, 12.37), "erl": pl("Erlangen", "DE", 49.60, 11.00),
	"gar": pl("Garching", "DE", 48.25, 11.65), "aug": pl("Augsburg", "DE", 48.37, 10.90),
	"dre": pl("Dresden", "DE", 51.05, 13.74), "stu": pl("Stuttgart", "DE", 48.78, 9.18),
	"kar": pl("Karlsruhe", "DE", 49.01, 8.40),
}

// internet2Codes are Internet2's (AS11537) router site names, four letters for the city
// ("fourhundredge-0-0-0-0.4079.core1.losa.net.internet2.edu", "rtr.newy32aoa", "eqch" for Equinix
// Chicago), and its commercial peering service's "lsan0.tr-cps.internet2.edu". Only names seen in real
// traces with the city known.
var internet2Codes = map[string]place{
	"losa": pl("Los Angeles", "US", 34.05, -118.24), "lsan": pl("Los Angeles", "US", 34.05, -118.24),
	"salt": pl("Salt Lake City", "US", 40.76, -111.89), "denv": pl("Denver", "US", 39.74, -104.99),
	"kans": pl("Kansas City", "US", 39.10, -94.58), "chic": pl("Chicago", "US", 41.88, -87.63),
	"eqch": pl("Chicago", "US", 41.88, -87.63), "clev": pl("Cleveland", "US", 41.50, -81.69),
	"ashb": pl("Ashburn", "US", 39.04, -77.49), "phil": pl("Philadelphia", "US", 39.95, -75.17),
	"minn": pl("Minneapolis", "US", 44.98, -93.27), "elpa": pl("El Paso", "US", 31.76, -106.49),
	"hous": pl("Houston", "US", 29.76, -95.37), "pens": pl("Pensacola", "US", 30.42, -87.22),
	"jack": pl("Jacksonville", "US", 30.33, -81.66), "atla": pl("Atlanta", "US", 33.75, -84.39),
	"wash": pl("Washington", "US", 38.91, -77.04), "newy": pl("New York", "US", 40.71, -74.01),
	"seat": pl("Seattle", "US", 47.61, -122.33),
	"miss": pl("Missoula", "US", 46.87, -113.99), // "rtsw.miss2", between "minn" and "seat"
}

// aarnetCodes are AARNet's (AS7575) foreign points of presence, named by IATA code under its .au
// domain ("et-0-0-0.pe1.a.hnl.aarnet.net.au" Honolulu, "bdr1.sing.sin", "guam.gum",
// "pe1.tkpa.akl"): curated, so the national domain does not contradict them; and the domestic suburb
// codes whose city is certain.
var aarnetCodes = map[string]place{
	"hnl": pl("Honolulu", "US", 21.31, -157.86), "sea": pl("Seattle", "US", 47.61, -122.33),
	"pao": pl("Palo Alto", "US", 37.44, -122.14), // "ge-4_0_0.bb1.a.pao.aarnet.net.au", before "paloalto0.iij.net"
	"lax": pl("Los Angeles", "US", 34.05, -118.24), "sin": pl("Singapore", "SG", 1.29, 103.85),
	"gum": pl("Hagåtña", "GU", 13.47, 144.75), "akl": pl("Auckland", "NZ", -36.85, 174.76),
	"actn": pl("Canberra", "AU", -35.28, 149.13), // Acton, ACT ("pe1.actn.act.aarnet.net.au")
}

// geantCodes are GÉANT (AS20965) site codes that are not the city's IATA code or are another place's
// ("ae7.mx1.gen.ch.geant.net" Geneva, "mx1.pra.cz" Prague, "poz.pl" Poznań); the country label
// after the code must agree (see findPlace). Codes that are the city's own IATA code ("vie.at",
// "ath.gr") are read by the country-label rule.
var geantCodes = map[string]place{
	"gen": pl("Geneva", "CH", 46.20, 6.14), "pra": pl("Prague", "CZ", 50.08, 14.44),
	"poz": pl("Poznań", "PL", 52.41, 16.93), "mil": pl("Milan", "IT", 45.46, 9.19),
	"lon": pl("London", "GB", 51.51, -0.13), "par": pl("Paris", "FR", 48.86, 2.35),
	"fra": pl("Frankfurt", "DE", 50.11, 8.68), "ath": pl("Athens", "GR", 37.98, 23.73),
	"cop": pl("Copenhagen", "DK", 55.68, 12.57),
}

// init7Codes are Init7 (AS13030) site codes in its router names "r<n><site><n>" ("r2lon2",
// "r1fra3", "r1zrh10", "r2win9" Winterthur).
var init7Codes = map[string]place{
	"lon": pl("London", "GB", 51.51, -0.13), "fra": pl("Frankfurt", "DE", 50.11, 8.68),
	"zrh": pl("Zurich", "CH", 47.38, 8.54), "win": pl("Winterthur", "CH", 47.50, 8.72),
}

// usiCodes are the campus prefixes of Università della Svizzera italiana's routers
// ("lu-pop1-bkb02-….usi.ch": Lugano).
var usiCodes = map[string]place{
	"lu": pl("Lugano", "CH", 46.00, 8.95),
}

// embratelCodes are Embratel's (AS4230) city codes ("ebt-P8-0-2-core03.rjo.embratel.net.br").
var embratelCodes = map[string]place{
	"rjo": pl("Rio de Janeiro", "BR", -22.91, -43.17), "spo": pl("São Paulo", "BR", -23.55, -46.63),
}

// ovhCodes are OVHcloud's data-centre campuses in its router names ("rbx-g2-a9.fr.eu": Roubaix).
var ovhCodes = map[string]place{
	"rbx": pl("Roubaix", "FR", 50.69, 3.17), "gra": pl("Gravelines", "FR", 50.99, 2.13),
	"sbg": pl("Strasbourg", "FR", 48.57, 7.75),
}

// comcastCodes are Comcast (AS7922) site codes where it does not spell the city ("te-0-3.dnv.comcast.net").
var comcastCodes = map[string]place{
	"dnv": pl("Denver", "US", 39.74, -104.99),
}

// sparkCodes are Spark Global Gateway's (AS4648) router names ("ae8-10.akbr6.global-gateway.net.nz":
// an Auckland border router).
var sparkCodes = map[string]place{
	"akbr": pl("Auckland", "NZ", -36.85, 174.76),
}

// teksavvyCodes are TekSavvy's (AS5645) site codes ("ae4-0-bdr01-tor.teksavvy.com": Toronto; "tor" is
// otherwise a top-of-rack switch).
var teksavvyCodes = map[string]place{
	"tor": pl("Toronto", "CA", 43.65, -79.38),
}

// googleCodes are Google (1e100.net) site codes that are not current airports' IATA codes
// (HEM was Helsinki-Malmi airport).
var googleCodes = map[string]place{
	"hem": pl("Helsinki", "FI", 60.17, 24.94),
}

// facilities are carrier hotels, operator sites and city districts that router names spell out; a
// name that carries one is placed in its city ("core2-hu0-2-0-1.colindale.ukcore.bt.net" → London).
var facilities = map[string]place{
	"colindale": pl("London", "GB", 51.51, -0.13), "docklands": pl("London", "GB", 51.51, -0.13),
	"harbourexchange": pl("London", "GB", 51.51, -0.13), "telecity": pl("London", "GB", 51.51, -0.13),
	"111eighthave": pl("New York", "US", 40.71, -74.01), "111eighth": pl("New York", "US", 40.71, -74.01),
	"60hudson": pl("New York", "US", 40.71, -74.01), "32aoa": pl("New York", "US", 40.71, -74.01),
	"onewilshire": pl("Los Angeles", "US", 34.05, -118.24), "1wilshire": pl("Los Angeles", "US", 34.05, -118.24),
	"1wlt":       pl("Los Angeles", "US", 34.05, -118.24), // Telstra's "i-10604.1wlt-core02.telstraglobal.net"
	"350ecermak": pl("Chicago", "US", 41.88, -87.63), "westin": pl("Seattle", "US", 47.61, -122.33),
	"1601milehigh": pl("Denver", "US", 39.74, -104.99), // Comcast's "be-12124-cr02.1601milehigh.co.ibone.comcast.net"
	"kleyer":       pl("Frankfurt", "DE", 50.11, 8.68), "interxion": pl("Frankfurt", "DE", 50.11, 8.68),
}

// equinixMetros are the two-letter metro codes of Equinix sites ("ld5", "fr5", "sg1"), read only in a
// name that says Equinix ("eqix", "equinix").
var equinixMetros = map[string]place{
	"am": pl("Amsterdam", "NL", 52.37, 4.90), "at": pl("Atlanta", "US", 33.75, -84.39),
	"ch": pl("Chicago", "US", 41.88, -87.63), "da": pl("Dallas", "US", 32.78, -96.80),
	"dc": pl("Ashburn", "US", 39.04, -77.49), "db": pl("Dublin", "IE", 53.35, -6.26),
	"dx": pl("Dubai", "AE", 25.20, 55.27),
	"fr": pl("Frankfurt", "DE", 50.11, 8.68), "he": pl("Helsinki", "FI", 60.17, 24.94),
	"hk": pl("Hong Kong", "HK", 22.32, 114.17), "ho": pl("Houston", "US", 29.76, -95.37),
	"la": pl("Los Angeles", "US", 34.05, -118.24), "ld": pl("London", "GB", 51.51, -0.13),
	"ls": pl("Lisbon", "PT", 38.72, -9.14), "ma": pl("Manchester", "GB", 53.48, -2.24),
	"md": pl("Madrid", "ES", 40.42, -3.70), "me": pl("Melbourne", "AU", -37.81, 144.96),
	"mi": pl("Miami", "US", 25.76, -80.19), "ml": pl("Milan", "IT", 45.46, 9.19),
	"mu": pl("Munich", "DE", 48.14, 11.58), "mx": pl("Mexico City", "MX", 19.43, -99.13),
	"ny": pl("New York", "US", 40.71, -74.01), "os": pl("Osaka", "JP", 34.69, 135.50),
	"pa": pl("Paris", "FR", 48.86, 2.35), "ri": pl("Rio de Janeiro", "BR", -22.91, -43.17),
	"se": pl("Seattle", "US", 47.61, -122.33), "sg": pl("Singapore", "SG", 1.29, 103.85),
	"sk": pl("Stockholm", "SE", 59.33, 18.07), "sl": pl("Seoul", "KR", 37.57, 126.98),
	"sp": pl("São Paulo", "BR", -23.55, -46.63), "sv": pl("San Jose", "US", 37.34, -121.89),
	"sy": pl("Sydney", "AU", -33.87, 151.21), "tr": pl("Toronto", "CA", 43.65, -79.38),
	"ty": pl("Tokyo", "JP", 35.68, 139.69), "wa": pl("Warsaw", "PL", 52.23, 21.01),
	"zh": pl("Zurich", "CH", 47.38, 8.54), "vi": pl("Vienna", "AT", 48.21, 16.37),
	"hh": pl("Hamburg", "DE", 53.55, 9.99),
}

// exchangeNames are internet exchanges that router names spell (as a label or token, hyphens dropped):
// a hop so named is a port on that exchange, usually of the member the name's AS number gives
// ("as15169-10g-sk1.sthix.net").
var exchangeNames = map[string]exchangeName{
	"sthix":  {"Netnod Stockholm (STHIX)", pl("Stockholm", "SE", 59.33, 18.07)},
	"netnod": {"Netnod", pl("Stockholm", "SE", 59.33, 18.07)},
	"decix":  {"DE-CIX Frankfurt", pl("Frankfurt", "DE", 50.11, 8.68)},
	"amsix":  {"AMS-IX", pl("Amsterdam", "NL", 52.37, 4.90)},
	"linx":   {"LINX", pl("London", "GB", 51.51, -0.13)}, "lonap": {"LONAP", pl("London", "GB", 51.51, -0.13)},
	"franceix":               {"France-IX", pl("Paris", "FR", 48.86, 2.35)},
	"espanix":                {"ESpanix", pl("Madrid", "ES", 40.42, -3.70)},
	"mixit":                  {"MIX Milan", pl("Milan", "IT", 45.46, 9.19)},
	"namex":                  {"NAMEX Rome", pl("Rome", "IT", 41.90, 12.50)},
	"vix":                    {"VIX", pl("Vienna", "AT", 48.21, 16.37)},
	"swissix":                {"SwissIX", pl("Zurich", "CH", 47.38, 8.54)},
	"bcix":                   {"BCIX", pl("Berlin", "DE", 52.52, 13.40)},
	"ficix":                  {"FICIX", pl("Helsinki", "FI", 60.17, 24.94)},
	"nyiix":                  {"NYIIX", pl("New York", "US", 40.71, -74.01)},
	"torix":                  {"TorIX", pl("Toronto", "CA", 43.65, -79.38)},
	"torontointernetxchange": {"TorIX", pl("Toronto", "CA", 43.65, -79.38)},
	"hkix":                   {"HKIX", pl("Hong Kong", "HK", 22.32, 114.17)},
	"jpix":                   {"JPIX", pl("Tokyo", "JP", 35.68, 139.69)}, "jpnap": {"JPNAP", pl("Tokyo", "JP", 35.68, 139.69)},
	"sgix":  {"SGIX", pl("Singapore", "SG", 1.29, 103.85)},
	"wpgix": {"WPG-IX", pl("Winnipeg", "CA", 49.90, -97.14)},
	"ixbr":  {"IX.br São Paulo", pl("São Paulo", "BR", -23.55, -46.63)},
}

// exchangeName is an exchange and its city.
type exchangeName struct {
	name string
	p    place
}
