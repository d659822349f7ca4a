/* The ports and names of a berthd container spec (runtime/engine/ports.c):
 * bindings as the API stores them, -P over the image's EXPOSE, and the
 * checks of --dns, --add-host and aliases. */
#include "tests/unit/helpers.h"

#include "runtime/engine/ports.h"
#include "spec/base/strv.h"

static void test_binding_forms(void **state)
{
	struct daemon_port p;
	struct berr err = { 0 };

	(void)state;
	assert_int_equal(daemon_port_parse("80/tcp|127.0.0.1|8080", &p, &err), 0);
	assert_int_equal(p.container_port, 80);
	assert_int_equal(p.host_port, 8080);
	assert_string_equal(p.proto, "tcp");
	assert_string_equal(p.host_ip, "127.0.0.1");
	/* Every address, a port to choose. */
	assert_int_equal(daemon_port_parse("53/udp|0.0.0.0|", &p, &err), 0);
	assert_string_equal(p.host_ip, "");
	assert_int_equal(p.host_port, 0);
	assert_string_equal(p.proto, "udp");
	assert_int_equal(daemon_port_parse("80/tcp||70000", &p, &err), -EINVAL);
	/* A range of host ports for one container port: docker takes the
	 * first free one. */
	assert_int_equal(daemon_port_parse("80/tcp||8000-8010", &p, &err), 0);
	assert_int_equal(p.host_port, 8000);
	assert_int_equal(p.host_last, 8010);
	assert_int_equal(daemon_port_parse("80/tcp||8000-8000", &p, &err), 0);
	assert_int_equal(p.host_last, 0);
	assert_int_equal(daemon_port_parse("80/tcp||8010-8000", &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid host port range \"8010-8000\""));
	assert_int_equal(daemon_port_parse("80/tcp||8000-", &p, &err), -EINVAL);
	assert_int_equal(daemon_port_parse("80/tcp||0-10", &p, &err), -EINVAL);
	assert_int_equal(daemon_port_parse("0/tcp||80", &p, &err), -EINVAL);
	assert_int_equal(daemon_port_parse("80/sctp||80", &p, &err), -EOPNOTSUPP);
	assert_int_equal(err.kind, BERR_UNSUPPORTED);
	assert_int_equal(daemon_port_parse("80/tcp|::1|80", &p, &err), -EOPNOTSUPP);
	assert_int_equal(daemon_port_parse("80/tcp|80", &p, &err), -EINVAL);
}

static void test_publish_all(void **state)
{
	const char *image[] = { "80/tcp", "53/udp" };
	char *ports[] = { "80/tcp||8080", NULL };
	char *exposed[] = { "9000/tcp", NULL };
	struct daemon_spec s = { 0 };
	struct berr err = { 0 };

	(void)state;
	s.ports = strv_dup(ports, 1);
	s.exposed = strv_dup(exposed, 1);
	s.publish_all = true;
	assert_int_equal(daemon_ports_expose(&s, image, 2, &err), 0);
	/* The request's, the image's, then -P for those not yet bound. */
	assert_int_equal(strv_len(s.exposed), 3);
	assert_string_equal(s.exposed[0], "9000/tcp");
	assert_string_equal(s.exposed[1], "80/tcp");
	assert_string_equal(s.exposed[2], "53/udp");
	assert_int_equal(strv_len(s.ports), 3);
	assert_string_equal(s.ports[0], "80/tcp||8080");
	assert_string_equal(s.ports[1], "9000/tcp||");
	assert_string_equal(s.ports[2], "53/udp||");
	assert_int_equal(daemon_ports_check(&s, true, &err), 0);
	/* No network of its own: nothing can be published. */
	assert_int_equal(daemon_ports_check(&s, false, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "published ports need a network"));
	daemon_spec_free(&s);
}

static void test_names(void **state)
{
	char *dns[] = { "192.0.2.53", "2001:db8::1", NULL };
	char *bad_dns[] = { "resolver.example", NULL };
	char *hosts[] = { "db:192.0.2.10", NULL };
	char *bad_hosts[] = { "db", NULL };
	char *gateway[] = { "db:host-gateway", NULL };
	char *aliases[] = { "two words", NULL };
	struct daemon_spec s = { 0 };
	struct berr err = { 0 };

	(void)state;
	s.dns = dns;
	s.extra_hosts = hosts;
	assert_int_equal(daemon_names_check(&s, &err), 0);
	s.network_mode = "host";
	assert_int_equal(daemon_names_check(&s, &err), -EINVAL);
	assert_string_equal(err.msg, "conflicting options: dns and the network mode");
	s.network_mode = NULL;
	s.dns = bad_dns;
	assert_int_equal(daemon_names_check(&s, &err), -EINVAL);
	s.dns = NULL;
	s.extra_hosts = bad_hosts;
	assert_int_equal(daemon_names_check(&s, &err), -EINVAL);
	s.extra_hosts = gateway;
	assert_int_equal(daemon_names_check(&s, &err), -EOPNOTSUPP);
	s.extra_hosts = NULL;
	s.aliases = aliases;
	assert_int_equal(daemon_names_check(&s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid network alias"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binding_forms),
		cmocka_unit_test(test_publish_all),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
