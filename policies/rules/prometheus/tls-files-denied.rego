# METADATA
# title: ServiceMonitor reads files a Prometheus denies
# description: >-
#   A Prometheus with `arbitraryFSAccessThroughSMs.deny: true` selects a
#   ServiceMonitor whose endpoint reads files from the Prometheus container
#   (`tlsConfig.caFile`, `certFile`, `keyFile` or `bearerTokenFile`). The
#   operator rejects the whole ServiceMonitor ("it accesses file system via
#   tls config which Prometheus specification prohibits"), so none of its
#   endpoints is scraped. Scrape classes are not subject to the check.
# custom:
#   id: tls-files-denied
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#arbitrary-fs-access, docs/model.md#scrape-classes"
#   fix: >-
#     Move the file-based TLS into a scrape class of that Prometheus and name
#     it in `scrapeClass`; replace `bearerTokenFile` with `authorization` from a
#     Secret (or a scrape class's `authorization.credentialsFile`). Or drop the
#     deny if the monitors are trusted.
package meshlint.rules.prometheus.tls_files_denied

import data.meshlint.lib

report contains finding if {
	some m in input.monitors
	some d in m.deniedFiles
	msg := sprintf("endpoint %d of %s reads files from the Prometheus container (%s), but %s sets arbitraryFSAccessThroughSMs.deny: true: the operator rejects the whole ServiceMonitor, so none of its endpoints is scraped", [
		d.endpoint, m.name, concat(", ", d.fields), d.prometheus.message,
	])
	finding := lib.finding(m.resource, d.pointer, msg, [lib.loc(d.prometheus.resource, d.prometheus.pointer, "file access denied here")], [])
}
