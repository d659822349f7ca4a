/* Ports through docker's API (see api_ports.h).  The engine checks the
 * values (runtime/engine/ports.c); here they only change form. */
#include "api_ports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/strv.h"

/* "80" is "80/tcp", as docker reads it. */
static void port_key(const char *key, char *out, size_t n)
{
	snprintf(out, n, "%s%s", key, strchr(key, '/') ? "" : "/tcp");
}

static int push(char ***v, size_t *n, char *s)
{
	char **grown;

	if (!s)
		return -ENOMEM;
	grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	*v = grown;
	grown[(*n)++] = s;
	grown[*n] = NULL;
	return 0;
}

static int one_binding(struct jr *r, const char *key, yajl_val b, char ***out, size_t *n)
{
	const char *ip = "", *port = "";
	char *s;

	JR_TRY(jr_val_object(r, b));
	JR_TRY(jr_str(r, b, "HostIp", &ip));
	JR_TRY(jr_str(r, b, "HostPort", &port));
	if (strchr(ip, '|') || strchr(port, '|'))
		return jr_fail(r, "invalid port binding");
	if (asprintf(&s, "%s|%s|%s", key, ip, port) < 0)
		return -ENOMEM;
	return push(out, n, s);
}

int api_ports_bindings(struct jr *r, yajl_val hc, char ***out)
{
	yajl_val pb = jr_get(hc, "PortBindings");
	size_t n = 0, mark;

	if (!pb || YAJL_IS_NULL(pb))
		return 0;
	mark = jr_enter_key(r, "PortBindings");
	JR_TRY(jr_val_object(r, pb));
	for (size_t i = 0; i < YAJL_GET_OBJECT(pb)->len; i++) {
		const char *k = YAJL_GET_OBJECT(pb)->keys[i];
		yajl_val arr = YAJL_GET_OBJECT(pb)->values[i];
		size_t kmark = jr_enter_key(r, k);
		char key[32];

		if (strlen(k) >= 24 || strchr(k, '|'))
			return jr_fail(r, "invalid port");
		port_key(k, key, sizeof(key));
		if (!YAJL_IS_NULL(arr)) {
			JR_TRY(jr_val_array(r, arr));
			for (size_t j = 0; j < YAJL_GET_ARRAY(arr)->len; j++) {
				size_t emark = jr_enter_index(r, j);

				JR_TRY(one_binding(r, key, YAJL_GET_ARRAY(arr)->values[j], out, &n));
				jr_leave(r, emark);
			}
		}
		jr_leave(r, kmark);
	}
	jr_leave(r, mark);
	return n ? 1 : 0;
}

int api_ports_exposed(struct jr *r, yajl_val doc, char ***out)
{
	yajl_val ep = jr_get(doc, "ExposedPorts");
	size_t n = 0;

	if (!ep || YAJL_IS_NULL(ep))
		return 0;
	if (!YAJL_IS_OBJECT(ep)) {
		size_t mark = jr_enter_key(r, "ExposedPorts");

		JR_TRY(jr_val_object(r, ep));
		jr_leave(r, mark);
	}
	for (size_t i = 0; i < YAJL_GET_OBJECT(ep)->len; i++) {
		char key[32];

		if (strlen(YAJL_GET_OBJECT(ep)->keys[i]) >= 24)
			return jr_fail_key(r, "ExposedPorts", "invalid port");
		port_key(YAJL_GET_OBJECT(ep)->keys[i], key, sizeof(key));
		JR_TRY(push(out, &n, strdup(key)));
	}
	return n ? 1 : 0;
}

/* Split "KEY|IP|PORT" into its three parts (in buf). */
static void split(const char *binding, char *buf, size_t n, char **key, char **ip, char **port)
{
	snprintf(buf, n, "%s", binding);
	*key = buf;
	*ip = strchr(buf, '|');
	*port = *ip ? strchr(*ip + 1, '|') : NULL;
	if (!*ip || !*port) {
		*ip = *port = buf + strlen(buf);
		return;
	}
	*(*ip)++ = '\0';
	*(*port)++ = '\0';
}

void api_ports_write_bindings(struct jw *w, const struct daemon_spec *s)
{
	jw_key(w, "PortBindings");
	jw_map_open(w);
	/* Grouped by container port, in the order of their first binding. */
	for (size_t i = 0; s->ports && s->ports[i]; i++) {
		char buf[128], *key, *ip, *port;
		bool first = true;

		split(s->ports[i], buf, sizeof(buf), &key, &ip, &port);
		for (size_t j = 0; j < i; j++)
			if (strncmp(s->ports[j], key, strlen(key)) == 0 &&
			    s->ports[j][strlen(key)] == '|')
				first = false;
		if (!first)
			continue;
		jw_key(w, key);
		jw_array_open(w);
		for (size_t j = i; s->ports[j]; j++) {
			char b2[128], *k2, *ip2, *port2;

			split(s->ports[j], b2, sizeof(b2), &k2, &ip2, &port2);
			if (strcmp(k2, key) != 0)
				continue;
			jw_map_open(w);
			jw_kstr(w, "HostIp", ip2);
			jw_kstr(w, "HostPort", port2);
			jw_map_close(w);
		}
		jw_array_close(w);
	}
	jw_map_close(w);
	jw_kbool(w, "PublishAllPorts", s->publish_all);
}

void api_ports_write_exposed(struct jw *w, const struct daemon_spec *s)
{
	if (!s->exposed || !s->exposed[0])
		return;
	jw_key(w, "ExposedPorts");
	jw_map_open(w);
	for (size_t i = 0; s->exposed[i]; i++) {
		jw_key(w, s->exposed[i]);
		jw_map_open(w);
		jw_map_close(w);
	}
	jw_map_close(w);
}

static bool same_key(const struct daemon_port *p, const char *key)
{
	char k[32];

	snprintf(k, sizeof(k), "%u/%s", p->container_port, p->proto);
	return strcmp(k, key) == 0;
}

void api_ports_write_settings(struct jw *w, const struct daemon_container *c)
{
	const struct daemon_endpoint *ep = &c->ep;

	jw_key(w, "Ports");
	jw_map_open(w);
	/* As the list's column: none while the container holds no network. */
	for (size_t i = 0; api_ports_listed(c) && c->spec.exposed && c->spec.exposed[i]; i++) {
		const char *key = c->spec.exposed[i];
		size_t found = 0;

		for (size_t j = 0; j < ep->n_ports; j++)
			found += same_key(&ep->ports[j], key);
		jw_key(w, key);
		if (!found) {
			jw_null(w);
			continue;
		}
		jw_array_open(w);
		for (size_t j = 0; j < ep->n_ports; j++) {
			char port[8];

			if (!same_key(&ep->ports[j], key))
				continue;
			snprintf(port, sizeof(port), "%u", ep->ports[j].host_port);
			jw_map_open(w);
			jw_kstr(w, "HostIp", ep->ports[j].host_ip[0] ? ep->ports[j].host_ip : "0.0.0.0");
			jw_kstr(w, "HostPort", port);
			jw_map_close(w);
		}
		jw_array_close(w);
	}
	jw_map_close(w);
}

bool api_ports_listed(const struct daemon_container *c)
{
	/* dockerd lists the ports of the network a container holds, which
	 * it gets at start and gives back when the container stops (a
	 * restart policy's wait included); a pause keeps it. */
	return c->status == DS_RUNNING || c->status == DS_PAUSED;
}

static void write_list_entries(struct jw *w, const struct daemon_container *c)
{
	const struct daemon_endpoint *ep = &c->ep;

	for (size_t j = 0; j < ep->n_ports; j++) {
		jw_map_open(w);
		jw_kstr(w, "IP", ep->ports[j].host_ip[0] ? ep->ports[j].host_ip : "0.0.0.0");
		jw_kint(w, "PrivatePort", ep->ports[j].container_port);
		jw_kint(w, "PublicPort", ep->ports[j].host_port);
		jw_kstr(w, "Type", ep->ports[j].proto);
		jw_map_close(w);
	}
	for (size_t i = 0; c->spec.exposed && c->spec.exposed[i]; i++) {
		unsigned port = (unsigned)atoi(c->spec.exposed[i]);
		const char *slash = strchr(c->spec.exposed[i], '/');
		bool published = false;

		for (size_t j = 0; j < ep->n_ports; j++)
			published |= same_key(&ep->ports[j], c->spec.exposed[i]);
		if (published)
			continue;
		jw_map_open(w);
		jw_kint(w, "PrivatePort", port);
		jw_kstr(w, "Type", slash ? slash + 1 : "tcp");
		jw_map_close(w);
	}
}

void api_ports_write_list(struct jw *w, const struct daemon_container *c)
{
	jw_key(w, "Ports");
	jw_array_open(w);
	if (api_ports_listed(c))
		write_list_entries(w, c);
	jw_array_close(w);
}
