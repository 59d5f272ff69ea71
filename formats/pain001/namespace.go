package pain001

import "strings"

// Versions this reader accepts, by their root namespace.
const (
	V03 = "pain.001.001.03"
	V09 = "pain.001.001.09"

	nsPrefix = "urn:iso:std:iso:20022:tech:xsd:"
)

// versionOf maps the root namespace to a supported version, or explains by
// name why the namespace is refused. Look-alike national variants share
// element names with ISO but not their rules (character sets, mandatory
// fields, Swiss payment types), so reading them as ISO would be a guess.
func versionOf(ns string) (version, refusal string) {
	switch ns {
	case nsPrefix + V03:
		return V03, ""
	case nsPrefix + V09:
		return V09, ""
	case "":
		return "", "the root element Document has no namespace; expected xmlns=\"" + nsPrefix + V03 + "\" or \"" + nsPrefix + V09 + "\""
	}
	const hint = "; export ISO pain.001.001.03 or .09"
	switch {
	case ns == nsPrefix+"pain.001.003.03", ns == nsPrefix+"pain.001.002.03":
		v := strings.TrimPrefix(ns, nsPrefix)
		return "", "namespace " + ns + " is the German DK variant " + v + ", which is not supported" + hint
	case strings.Contains(ns, ".ch.") || strings.Contains(ns, "six-interbank-clearing.com"):
		return "", "namespace " + ns + " is the Swiss SIX variant " + swissName(ns) + ", which is not supported" + hint
	case strings.HasPrefix(ns, "urn:sepade:"):
		return "", "namespace " + ns + " is a German SEPA (urn:sepade) variant, which is not supported" + hint
	case strings.HasPrefix(ns, nsPrefix+"pain.001."):
		return "", "namespace " + ns + " is " + strings.TrimPrefix(ns, nsPrefix) + ", a pain.001 version this reader does not support" + hint
	case strings.HasPrefix(ns, nsPrefix):
		return "", "namespace " + ns + " is " + strings.TrimPrefix(ns, nsPrefix) + ", not a pain.001 credit transfer initiation" + hint
	}
	return "", "namespace " + ns + " is not an ISO 20022 pain.001 namespace" + hint
}

// swissName extracts "pain.001.001.03.ch.02" from the SIX schema URL.
func swissName(ns string) string {
	s := ns[strings.LastIndexByte(ns, '/')+1:]
	s = strings.TrimSuffix(s, ".xsd")
	if s == "" {
		return ns
	}
	return s
}
