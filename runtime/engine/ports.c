/* Ports of a container spec: the bindings docker's PortBindings become,
 * the ports the image and the request expose, and -P. */
#include "runtime/engine/ports.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"

static int port_number(const char *s, size_t len, uint16_t *out, bool zero_ok)
{
	char buf[8];
	char *end;
	long v;

	if (len == 0 || len >= sizeof(buf) || strspn(s, "0123456789") < len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtol(buf, &end, 10);
	if (v > 65535 || (v == 0 && !zero_ok))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int daemon_port_key_parse(const char *key, uint16_t *port, char proto[4], struct berr *err)
{
	const char *slash = strchr(key, '/');
	size_t len = slash ? (size_t)(slash - key) : strlen(key);
	const char *pr = slash ? slash + 1 : "tcp";

	if (port_number(key, len, port, false) < 0)
		return berr_invalid(err, "invalid port \"%s\": want PORT[/tcp|udp] with PORT 1-65535",
				    key);
	if (strcmp(pr, "sctp") == 0)
		return berr_unsupported(err, "port %s: sctp is not supported by berthd", key);
	if (strcmp(pr, "tcp") && strcmp(pr, "udp"))
		return berr_invalid(err, "invalid protocol \"%s\" of port %s: tcp or udp", pr, key);
	snprintf(proto, 4, "%s", pr);
	return 0;
}

/* HOSTPORT of a binding: "" (chosen), "PORT" or "FIRST-LAST", of which
 * docker takes the first free one. */
static int host_ports(const char *key, const char *s, struct daemon_port *p, struct berr *err)
{
	const char *dash = strchr(s, '-');

	if (!*s)
		return 0;
	if (!dash)
		return port_number(s, strlen(s), &p->host_port, true) < 0
			       ? berr_invalid(err, "port %s: invalid host port \"%s\" (1-65535)",
					      key, s)
			       : 0;
	if (port_number(s, (size_t)(dash - s), &p->host_port, false) < 0 ||
	    port_number(dash + 1, strlen(dash + 1), &p->host_last, false) < 0 ||
	    p->host_last < p->host_port)
		return berr_invalid(err, "port %s: invalid host port range \"%s\" (FIRST-LAST, "
				    "1-65535, FIRST not above LAST)", key, s);
	if (p->host_last == p->host_port)
		p->host_last = 0;
	return 0;
}

int daemon_port_parse(const char *binding, struct daemon_port *p, struct berr *err)
{
	const char *bar1 = strchr(binding, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
	char key[32];
	struct in6_addr a;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!bar2 || (size_t)(bar1 - binding) >= sizeof(key) ||
	    (size_t)(bar2 - bar1 - 1) >= sizeof(p->host_ip))
		return berr_invalid(err, "invalid port binding \"%s\"", binding);
	snprintf(key, sizeof(key), "%.*s", (int)(bar1 - binding), binding);
	ret = daemon_port_key_parse(key, &p->container_port, p->proto, err);
	if (ret < 0)
		return ret;
	snprintf(p->host_ip, sizeof(p->host_ip), "%.*s", (int)(bar2 - bar1 - 1), bar1 + 1);
	if (strcmp(p->host_ip, "0.0.0.0") == 0)
		p->host_ip[0] = '\0';
	if (p->host_ip[0] && inet_pton(AF_INET, p->host_ip, &a) != 1) {
		if (inet_pton(AF_INET6, p->host_ip, &a) != 1)
			return berr_invalid(err, "port %s: invalid host address \"%s\"", key,
					    p->host_ip);
		/* portmap's DNAT: IPv6 has no way to loopback (no
		 * route_localnet), and "::" is every address of both. */
		if (IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) ||
		    IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_MULTICAST(&a))
			return berr_unsupported(err, "port %s: publishing on %s is not supported by "
						"berthd (an IPv6 address of the host's, not "
						"loopback, link-local or ::)", key, p->host_ip);
	}
	return host_ports(key, bar2 + 1, p, err);
}

int daemon_ports_check(const struct daemon_spec *s, bool on_network, struct berr *err)
{
	struct daemon_port p;
	uint16_t port;
	char proto[4];
	int ret;

	for (size_t i = 0; s->exposed && s->exposed[i]; i++) {
		ret = daemon_port_key_parse(s->exposed[i], &port, proto, err);
		if (ret < 0)
			return ret;
	}
	if (!s->ports || !s->ports[0])
		return 0;
	if (!on_network)
		return berr_invalid(err, "published ports need a network of the container's own: "
				    "not with network mode \"%s\"%s",
				    s->network_mode && *s->network_mode ? s->network_mode : "default",
				    s->network_mode && *s->network_mode ? ""
					: " (berthd runs without a default network)");
	for (size_t i = 0; s->ports[i]; i++) {
		ret = daemon_port_parse(s->ports[i], &p, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static bool has(char *const *v, const char *s, size_t prefix)
{
	for (size_t i = 0; v && v[i]; i++)
		if (prefix ? strncmp(v[i], s, prefix) == 0 && v[i][prefix] == '|'
			   : strcmp(v[i], s) == 0)
			return true;
	return false;
}

int daemon_ports_expose(struct daemon_spec *s, const char *const *image_exposed, size_t n,
			struct berr *err)
{
	for (size_t i = 0; i < n; i++)
		if (!has(s->exposed, image_exposed[i], 0) && strv_push(&s->exposed, image_exposed[i]) < 0)
			return berr_set(err, ENOMEM, "create");
	/* A published port is exposed too. */
	for (size_t i = 0; s->ports && s->ports[i]; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(s->ports[i], "|"), s->ports[i]);
		if (!has(s->exposed, key, 0) && strv_push(&s->exposed, key) < 0)
			return berr_set(err, ENOMEM, "create");
	}
	if (!s->publish_all)
		return 0;
	for (size_t i = 0; s->exposed && s->exposed[i]; i++) {
		char binding[48];

		if (has(s->ports, s->exposed[i], strlen(s->exposed[i])))
			continue;
		snprintf(binding, sizeof(binding), "%s||", s->exposed[i]);
		if (strv_push(&s->ports, binding) < 0)
			return berr_set(err, ENOMEM, "create");
	}
	return 0;
}

static bool is_address(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool one_word(const char *s)
{
	return *s && !strpbrk(s, " \t\n\r");
}

int daemon_names_check(const struct daemon_spec *s, struct berr *err)
{
	const char *nm = s->network_mode;
	bool host = nm && strcmp(nm, "host") == 0;

	if (host && ((s->dns && s->dns[0]) || (s->dns_search && s->dns_search[0]) ||
		     (s->dns_options && s->dns_options[0])))
		return berr_invalid(err, "conflicting options: dns and the network mode");
	for (size_t i = 0; s->dns && s->dns[i]; i++)
		if (!is_address(s->dns[i]))
			return berr_invalid(err, "invalid DNS server \"%s\": not an IP address",
					    s->dns[i]);
	for (size_t i = 0; s->dns_search && s->dns_search[i]; i++)
		if (!one_word(s->dns_search[i]))
			return berr_invalid(err, "invalid DNS search domain \"%s\"", s->dns_search[i]);
	for (size_t i = 0; s->dns_options && s->dns_options[i]; i++)
		if (!one_word(s->dns_options[i]))
			return berr_invalid(err, "invalid DNS option \"%s\"", s->dns_options[i]);
	/* Names go into other containers' /etc/hosts: one word each. */
	for (size_t i = 0; s->aliases && s->aliases[i]; i++)
		if (!one_word(s->aliases[i]) || strlen(s->aliases[i]) > 255)
			return berr_invalid(err, "invalid network alias \"%s\"", s->aliases[i]);
	for (size_t i = 0; s->extra_hosts && s->extra_hosts[i]; i++) {
		const char *h = s->extra_hosts[i], *colon = strchr(h, ':');
		char name[256];

		if (!colon || colon == h || (size_t)(colon - h) >= sizeof(name))
			return berr_invalid(err, "invalid extra host \"%s\": want NAME:ADDRESS", h);
		snprintf(name, sizeof(name), "%.*s", (int)(colon - h), h);
		if (!one_word(name))
			return berr_invalid(err, "invalid extra host \"%s\": want NAME:ADDRESS", h);
		if (strcmp(colon + 1, "host-gateway") == 0)
			return berr_unsupported(err, "extra host \"%s\": host-gateway is not "
						"supported by berthd", h);
		if (!is_address(colon + 1))
			return berr_invalid(err, "invalid extra host \"%s\": \"%s\" is not an IP "
					    "address", h, colon + 1);
	}
	return 0;
}
