package explain

// globalNetworks are ASes that carry traffic or serve content on several continents: the tier-1 and
// large international carriers, the clouds, CDNs and hosting companies with data centres worldwide.
// Their registry country is their head office's, so it says nothing of where one of their routers is,
// and a trace starting inside one (a cloud VM) tells nothing of the user's country from it. Their
// router names, when they carry a site code, still do. A curated list (as network engineers know these
// networks), not data: an AS missing here is judged by its registration like any other.
var globalNetworks = map[uint32]bool{
	// International carriers (tier 1 and the large international backbones).
	174: true, 209: true, 701: true, 1239: true, 1273: true, 1299: true, 2828: true, 2914: true,
	3257: true, 3356: true, 3491: true, 3549: true, 4637: true, 4809: true, 5511: true,
	6453: true, 6461: true, 6762: true, 6830: true, 6939: true, 7473: true, 9002: true, 10099: true,
	12956: true, 58453: true, 64049: true,
	// Clouds, CDNs and hosting with sites on several continents.
	714: true, 6185: true, 2906: true, 40027: true, 8068: true, 8075: true, 12076: true, 13335: true,
	209242: true, 14061: true, 14618: true, 16509: true, 8987: true, 15169: true, 19527: true,
	36040: true, 36384: true, 36492: true, 43515: true, 139070: true, 396982: true, 15133: true,
	16276: true, 16625: true, 20940: true, 21342: true, 32787: true, 35994: true, 20473: true,
	22822: true, 24940: true, 31898: true, 32934: true, 36351: true, 45102: true, 54113: true,
	63949: true, 132203: true, 19551: true, 62597: true,
}

// globalNetwork reports whether asn is one of globalNetworks.
func globalNetwork(asn uint32) bool { return globalNetworks[asn] }

// contentNetworks are the global networks whose addresses answer from front-ends in many countries
// (content and CDN networks): the registry country of such an address names the head office, never
// the site that answered. Clouds are not among them (nor Microsoft, whose AS carries Azure): their
// registries name each region's country.
var contentNetworks = map[uint32]bool{
	714: true, 6185: true, 2906: true, 40027: true, 13335: true, 209242: true, 15169: true,
	36040: true, 43515: true, 15133: true, 16625: true, 20940: true, 21342: true, 32787: true, 35994: true,
	22822: true, 32934: true, 54113: true, 19551: true, 60068: true, 13414: true,
}

// contentNetwork reports whether asn is one of contentNetworks.
func contentNetwork(asn uint32) bool { return contentNetworks[asn] }
