package enrich

// Operators' own site codes, each table from router names seen in real traces whose place the trace
// (RTTs, neighbouring hops) or the operator's documentation confirms. See carriers in hintdata.go.

// norduCodes are NORDUnet's (AS2603, nordu.net) site codes, written after a country token
// ("uk-hex.nordu.net" London Harbour Exchange, "nl-sar" Amsterdam SARA, "us-man" New York Manhattan,
// "is-rey" Reykjavik, "se-tug" Stockholm Tulegatan, "fi-csc" Espoo CSC, "de-hmb" Hamburg, "dk-bal"
// Ballerup and "dk-uni" UNI-C Lyngby, both Copenhagen). A country token beside the code must agree
// (see siteCode): "us-man" is not Manchester.
var norduCodes = map[string]place{
	"hex": pl("London", "GB", 51.51, -0.13), "sar": pl("Amsterdam", "NL", 52.37, 4.90),
	"ams": pl("Amsterdam", "NL", 52.37, 4.90), "man": pl("New York", "US", 40.71, -74.01),
	"rey": pl("Reykjavik", "IS", 64.15, -21.94), "tug": pl("Stockholm", "SE", 59.33, 18.07),
	"csc": pl("Espoo", "FI", 60.21, 24.66), "hmb": pl("Hamburg", "DE", 53.55, 9.99),
	"bal": pl("Copenhagen", "DK", 55.68, 12.57), "uni": pl("Copenhagen", "DK", 55.68, 12.57),
}

// retnCodes are RETN's (AS9002, retn.net) city codes where they are not the city's IATA or metro code;
// the country label follows ("ae10-153.RT1.M9.MSK.RU.retn.net" Moscow, "ae3-4.RT.EQX.FKT.DE"
// Frankfurt, "ae11-221.RT1.NTL.KIV.UA" Kyiv, "et002-3.RT.EQ6.HKI.FI" Helsinki, "et0110-2.rt.ncl.cgn.de"
// Cologne, "ae1-499.RT.SRV.DRO.NL" Dronten).
var retnCodes = map[string]place{
	"msk": pl("Moscow", "RU", 55.76, 37.62), "fkt": pl("Frankfurt", "DE", 50.11, 8.68),
	"kiv": pl("Kyiv", "UA", 50.45, 30.52), "hki": pl("Helsinki", "FI", 60.17, 24.94),
	"cgn": pl("Cologne", "DE", 50.94, 6.96), "dro": pl("Dronten", "NL", 52.52, 5.72),
	"stk": pl("Stockholm", "SE", 59.33, 18.07),
}

// iijCodes are IIJ's (AS2497, iij.net) city codes before a site number ("osk004bb01.IIJ.Net" Osaka,
// "tky009bb00.IIJ.Net" Tokyo).
var iijCodes = map[string]place{
	"osk": pl("Osaka", "JP", 34.69, 135.50), "tky": pl("Tokyo", "JP", 35.68, 139.69),
	"ngy": pl("Nagoya", "JP", 35.18, 136.91), // "ngy003bb00.IIJ.Net"
}

// qwestCodes are Qwest's (CenturyLink/Lumen AS209, qwest.net) city codes: the four-letter city part of
// the CLLI code ("ptld-agw2.inet.qwest.net", "ptld-dsl-gw53.ptld.qwest.net" Portland, CLLI PTLDOR).
var qwestCodes = map[string]place{
	"ptld": pl("Portland", "US", 45.52, -122.68), "sttl": pl("Seattle", "US", 47.61, -122.33),
	"dnvr": pl("Denver", "US", 39.74, -104.99), "mpls": pl("Minneapolis", "US", 44.98, -93.27),
	"phnx": pl("Phoenix", "US", 33.45, -112.07), "slkc": pl("Salt Lake City", "US", 40.76, -111.89),
}

// btCodes are BT's UK core (ukcore.bt.net) buildings: "faraday" (BT's Faraday Building in the City) and
// "telehouse" (Telehouse London Docklands); "colindale" is in facilities.
var btCodes = map[string]place{
	"faraday": pl("London", "GB", 51.51, -0.13), "telehouse": pl("London", "GB", 51.51, -0.13),
}

// janetCodes are Janet's (AS786, ja.net) sites, four letters of the city and two of the building
// ("ae29.londpg-sbr2.ja.net" London, "londhx" Harbour Exchange, "londtw" Telehouse West,
// "ae29.manckh-sbr2" Manchester Kilburn House, "lanclu" Lancaster University).
var janetCodes = map[string]place{
	"londpg": pl("London", "GB", 51.51, -0.13), "londhx": pl("London", "GB", 51.51, -0.13),
	"londtw": pl("London", "GB", 51.51, -0.13), "manckh": pl("Manchester", "GB", 53.48, -2.24),
	"lanclu": pl("Lancaster", "GB", 54.05, -2.80),
}

// ertelecomCodes are ER-Telecom's (Dom.ru, ertelecom.ru) city labels ("lag-3-438.bgw01.ekat.ertelecom.ru"
// Yekaterinburg, "bgw01.nsk" Novosibirsk, "bbr01.nn" Nizhny Novgorod, "st.chel" Chelyabinsk).
var ertelecomCodes = map[string]place{
	"ekat": pl("Yekaterinburg", "RU", 56.84, 60.61), "nsk": pl("Novosibirsk", "RU", 55.03, 82.92),
	"nn": pl("Nizhny Novgorod", "RU", 56.33, 44.00), "chel": pl("Chelyabinsk", "RU", 55.16, 61.40),
	"msk": pl("Moscow", "RU", 55.76, 37.62), "spb": pl("Saint Petersburg", "RU", 59.94, 30.31),
	"perm": pl("Perm", "RU", 58.01, 56.23), // "bbr01.perm.ertelecom.ru"
}

// telstraGlobalCodes are Telstra International's (AS4637, telstraglobal.net) site codes that are not
// airports' ("i-10604.1wlt-core02": One Wilshire, Los Angeles; "sydp-core03", "sydo-core04": Sydney's
// two sites), besides its IATA-coded ones.
var telstraGlobalCodes = map[string]place{
	"sydp": pl("Sydney", "AU", -33.87, 151.21), "sydo": pl("Sydney", "AU", -33.87, 151.21),
	"tpei": pl("Taipei", "TW", 25.03, 121.57), // "i-13642.tpei-core01", "i-92.tpei02.telstraglobal.net"
}

// zayoCodes are Zayo's (AS6461, zayo.com) site codes that are no airport's ("ae5.mpr1.tor3.ca.zip.zayo.com"
// Toronto, with its country label after it).
var zayoCodes = map[string]place{
	"tor": pl("Toronto", "CA", 43.65, -79.38),
}

// gttCodes are GTT's (AS3257, gtt.net) site codes that are no airport's ("ae16.cr0-mtl1.ip4.gtt.net"
// Montreal; "cr1-man1" Manchester, whose MAN is otherwise a role word).
var gttCodes = map[string]place{
	"mtl": pl("Montreal", "CA", 45.50, -73.57), "man": pl("Manchester", "GB", 53.48, -2.24),
}

// shawCodes are Shaw Communications' (AS6327, shawcable.net) region labels and site codes: the region
// after the router ("rc1wt-be82.wa.shawcable.net" Seattle, ".cg." Calgary, ".vc." Vancouver, ".il."
// Chicago) or, in the California region, the site after the role and router number ("rc4sj-be60.cl": San
// Jose).
var shawCodes = map[string]place{
	"wa": pl("Seattle", "US", 47.61, -122.33), "cg": pl("Calgary", "CA", 51.05, -114.07),
	"vc": pl("Vancouver", "CA", 49.28, -123.12), "il": pl("Chicago", "US", 41.88, -87.63),
	"sj": pl("San Jose", "US", 37.34, -121.89),
}

// kddiCodes are KDDI's (AS2516, kddi.ne.jp) city codes ("fkoBBAR001": Fukuoka, not an airport code).
var kddiCodes = map[string]place{
	"fko": pl("Fukuoka", "JP", 33.59, 130.40),
}

// aussiebbCodes are Aussie Broadband's (AS4764, aussiebb.net) sites ("core1.portmel.aussiebb.net" Port
// Melbourne, "core1.vdc01.per" and "core1.nextdc-p1.per" Perth; "per" is otherwise a role word).
var aussiebbCodes = map[string]place{
	"portmel": pl("Melbourne", "AU", -37.81, 144.96), "per": pl("Perth", "AU", -31.95, 115.86),
}

// teracoCodes are the site codes of Teraco-hosted routers under ubermanage.net
// ("xe-0-0-1-0.tco-jhb-ebr1.ubermanage.net" Johannesburg; JHB is otherwise Johor Bahru's airport).
var teracoCodes = map[string]place{
	"jhb": pl("Johannesburg", "ZA", -26.20, 28.05),
}

// edgecastCodes are Edgecast's (AS15133, edgecastcdn.net) sites ("ae-66.core1.sec.edgecastcdn.net"
// Seattle, right after "Edgecast-level3-Seattle1.Level3.net").
var edgecastCodes = map[string]place{
	"sec": pl("Seattle", "US", 47.61, -122.33),
}

// telxiusCodes are the sites of Telefónica's international network (Telxius, AS12956;
// telefonica-wholesale.net, tiws.net) in its router names "gr" + a role letter + the city's IATA metro
// code + a building code + a number ("AE3-GRCMADJV1" Madrid, "grtmiabr3" and "grtmiana3" Miami,
// "grtnycpt3" New York, "grtwaseq1" Washington (Equinix Ashburn), "grtbuecu1" and "grabueba2" Buenos
// Aires, "ae7-grtsaotm1.ip6.tiws.net" São Paulo (Tamboré)). The address registry puts the whole network
// in Spain.
var telxiusCodes = map[string]place{
	"mad": pl("Madrid", "ES", 40.42, -3.70), "mia": pl("Miami", "US", 25.76, -80.19),
	"nyc": pl("New York", "US", 40.71, -74.01), "was": pl("Washington", "US", 38.91, -77.04),
	"bue": pl("Buenos Aires", "AR", -34.60, -58.38), "sao": pl("São Paulo", "BR", -23.55, -46.63),
}

// sparkleCodes are Sparkle's (Telecom Italia Sparkle, AS6762, seabone.net) site codes and the Italian
// city names its routers carry, "<city><n>.<code>.seabone.net" ("ae7.sanpaolo8.spa" São Paulo,
// "ae6.bucarest1.buc" Bucharest, "ae13.baires3.bai" Buenos Aires, "etg.lisbona1.lis" Lisbon,
// "so-5-0-0.franco71.fra" Frankfurt, "new3-new50-racc1.new" New York, "ae28.ashburn1.ash",
// "ae29.londra32.lon", "pos0-2-0-0.milano50.mil", "te0-14-1-0.palermo17.pal",
// "shadow-router.ams"). The registry puts the whole network in Italy; "spa", "buc", "bai" and "new" are
// other places' airports.
var sparkleCodes = map[string]place{
	"spa": pl("São Paulo", "BR", -23.55, -46.63), "sanpaolo": pl("São Paulo", "BR", -23.55, -46.63),
	"buc": pl("Bucharest", "RO", 44.43, 26.10), "bucarest": pl("Bucharest", "RO", 44.43, 26.10),
	"bai": pl("Buenos Aires", "AR", -34.60, -58.38), "baires": pl("Buenos Aires", "AR", -34.60, -58.38),
	"lis": pl("Lisbon", "PT", 38.72, -9.14), "lisbona": pl("Lisbon", "PT", 38.72, -9.14),
	"fra": pl("Frankfurt", "DE", 50.11, 8.68), "franco": pl("Frankfurt", "DE", 50.11, 8.68),
	"new": pl("New York", "US", 40.71, -74.01), "ash": pl("Ashburn", "US", 39.04, -77.49),
	"lon": pl("London", "GB", 51.51, -0.13), "mil": pl("Milan", "IT", 45.46, 9.19),
	"pal": pl("Palermo", "IT", 38.12, 13.36), "ams": pl("Amsterdam", "NL", 52.37, 4.90),
}

// maxnetCodes are Maxnet's (Kharkiv, maxnet.ua) city suffixes on its customers' names
// ("79-171-122-170-kh.maxnet.ua", "31-202-22-60-kh.maxnet.ua": Kharkiv).
var maxnetCodes = map[string]place{
	"kh": pl("Kharkiv", "UA", 49.98, 36.25),
}
