/* The CNI runner (runtime/network/): the execution protocol against fake
 * plugins (shell scripts that log what they were given), the order of a
 * list's ADD and DEL, the cache that DEL reads, the clean-up of an ADD
 * that failed half-way, and the parsing of --bip. */
#include "tests/unit/helpers.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/network/network.h"
#include "spec/base/fsutil.h"

struct fixture {
	char dir[64];
	char plugins[PATH_MAX], conf[PATH_MAX], cache[PATH_MAX];
	struct net_ctx ctx;
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	struct berr err = { 0 };

	assert_int_equal(fsutil_write_atomic(path, text, strlen(text), mode, &err), 0);
}

/* A plugin that logs "NAME COMMAND ID NETNS IFNAME" and its stdin, and
 * answers ADD with result (single-quoted JSON) or, when fail, with an
 * error result (its DEL succeeds, as a plugin's must for what it did not
 * make). */
static void fake_plugin(struct fixture *f, const char *name, const char *result, bool fail)
{
	char path[PATH_MAX + 64], *script;
	char *json = squote_json(result ? result : "{}");

	snprintf(path, sizeof(path), "%s/%s", f->plugins, name);
	assert_true(asprintf(&script,
			     "#!/bin/sh\n"
			     "echo \"%s $CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_PATH\" >>%s/log\n"
			     "cat >%s/%s.$CNI_COMMAND.in\n"
			     "%s"
			     "[ \"$CNI_COMMAND\" = ADD ] && echo '%s'\n"
			     "exit 0\n",
			     name, f->dir, f->dir, name,
			     fail ? "[ \"$CNI_COMMAND\" = ADD ] && echo '{\"code\":7,\"msg\":\"no way\",\"details\":\"really\"}' && exit 1\n"
				  : "",
			     json) > 0);
	write_file(path, script, 0755);
	free(script);
	free(json);
}

static const char *RESULT = "{'cniVersion':'1.0.0','interfaces':[{'name':'br'},"
			    "{'name':'eth0','mac':'aa:bb:cc:dd:ee:ff','sandbox':'/ns'}],"
			    "'ips':[{'interface':1,'address':'10.1.2.3/24','gateway':'10.1.2.1'}]}";

static void conflist(struct fixture *f, const char *name, const char *plugins)
{
	char path[PATH_MAX + 64], *text, *json;

	json = squote_json(plugins);
	assert_true(asprintf(&text, "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"plugins\":%s}",
			     name, json) > 0);
	snprintf(path, sizeof(path), "%s/%s.conflist", f->conf, name);
	write_file(path, text, 0600);
	free(text);
	free(json);
}

static char *slurp(struct fixture *f, const char *name)
{
	char path[PATH_MAX + 64], *text = NULL;
	size_t len;
	struct berr err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	if (fsutil_read_file(path, &text, &len, &err) < 0)
		return strdup("");
	return text;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-unit-net.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->plugins, sizeof(f->plugins), "%s/plugins", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/conf", f->dir);
	snprintf(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	assert_int_equal(mkdir(f->plugins, 0700), 0);
	assert_int_equal(mkdir(f->conf, 0700), 0);
	f->ctx = (struct net_ctx){ .cni_path = f->plugins, .conf_dir = f->conf,
				   .cache_dir = f->cache };
	fake_plugin(f, "first", RESULT, false);
	fake_plugin(f, "second", RESULT, false);
	fake_plugin(f, "broken", NULL, true);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static const struct net_port PORTS[] = {
	{ .host_port = 8080, .container_port = 80, .protocol = "tcp", .host_ip = "127.0.0.1" },
};

static const struct net_request WITH_PORTS = { .ifname = "eth0", .ports = PORTS, .n_ports = 1 };
static const struct net_request ETH0 = { .ifname = "eth0" };

static void test_attach_runs_the_list_in_order(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char cache[PATH_MAX + 128];
	char *log, *in1, *in2;
	struct net_port *ports;
	size_t n;

	conflist(f, "net1", "[{'type':'first','extra':{'n':1.5}},"
			    "{'type':'second','capabilities':{'portMappings':true}}]");
	assert_int_equal(net_attach(&f->ctx, "net1", "c1", "/run/ns/c1", &WITH_PORTS, &ep, &err),
			 0);
	assert_string_equal(ep.ip, "10.1.2.3");
	assert_int_equal(ep.prefix, 24);
	assert_string_equal(ep.gateway, "10.1.2.1");
	assert_string_equal(ep.mac, "aa:bb:cc:dd:ee:ff");

	/* The protocol's environment, in the list's order. */
	log = slurp(f, "log");
	assert_non_null(strstr(log, "first ADD c1 /run/ns/c1 eth0"));
	assert_true(strstr(log, "first ADD") < strstr(log, "second ADD"));
	free(log);
	/* The first plugin: its own keys, the list's name and version, no
	 * prevResult, no runtimeConfig (it declares no capability). */
	in1 = slurp(f, "first.ADD.in");
	assert_non_null(strstr(in1, "\"name\":\"net1\""));
	assert_non_null(strstr(in1, "\"cniVersion\":\"1.0.0\""));
	assert_non_null(strstr(in1, "\"extra\":{\"n\":1.5}"));
	assert_null(strstr(in1, "prevResult"));
	assert_null(strstr(in1, "runtimeConfig"));
	/* The second: the first's result, and the ports it asked for. */
	in2 = slurp(f, "second.ADD.in");
	assert_non_null(strstr(in2, "\"prevResult\":{\"cniVersion\":\"1.0.0\""));
	assert_non_null(strstr(in2, "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,"
				    "\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"}]}"));
	free(in1);
	free(in2);

	/* The cache holds what DEL needs; the endpoint reads back from it. */
	snprintf(cache, sizeof(cache), "%s/c1/net1", f->cache);
	assert_int_equal(access(cache, F_OK), 0);
	memset(&ep, 0, sizeof(ep));
	assert_int_equal(net_endpoint_load(&f->ctx, "c1", "net1", &ep, &ports, &n, &err), 0);
	assert_string_equal(ep.ip, "10.1.2.3");
	assert_int_equal(n, 1);
	assert_int_equal(ports[0].host_port, 8080);
	assert_int_equal(ports[0].container_port, 80);
	assert_string_equal(ports[0].protocol, "tcp");
	assert_string_equal(ports[0].host_ip, "127.0.0.1");
	free(ports);
}

static void test_detach_reverses_and_forgets(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char cache[PATH_MAX + 128];
	char *log, *in;

	conflist(f, "net1", "[{'type':'first'},{'type':'second','capabilities':{'portMappings':true}}]");
	assert_int_equal(net_attach(&f->ctx, "net1", "c2", "/ns", &WITH_PORTS, &ep, &err), 0);
	/* The network changes (or goes) after the attachment: DEL runs with
	 * the list the attachment was made with. */
	conflist(f, "net1", "[{'type':'broken'}]");
	assert_int_equal(net_detach_all(&f->ctx, "c2", &err), 0);
	log = slurp(f, "log");
	assert_non_null(strstr(log, "second DEL c2 /ns eth0"));
	assert_true(strstr(log, "second DEL") < strstr(log, "first DEL"));
	assert_null(strstr(log, "broken"));
	free(log);
	in = slurp(f, "first.DEL.in");
	assert_non_null(strstr(in, "\"prevResult\":{\"cniVersion\":\"1.0.0\""));
	free(in);
	in = slurp(f, "second.DEL.in");
	assert_non_null(strstr(in, "\"portMappings\":[{\"hostPort\":8080"));
	free(in);
	snprintf(cache, sizeof(cache), "%s/c2", f->cache);
	assert_int_equal(access(cache, F_OK), -1);
	/* Again: nothing left to delete, no plugin runs. */
	unlink(strcat(strcpy(cache, f->dir), "/log"));
	assert_int_equal(net_detach_all(&f->ctx, "c2", &err), 0);
	log = slurp(f, "log");
	assert_string_equal(log, "");
	free(log);
	{
		struct net_port *ports = NULL;
		size_t n;

		assert_int_equal(net_endpoint_load(&f->ctx, "c2", "net1", &ep, &ports, &n, &err),
				 -ENOENT);
		assert_null(ports);
	}
}

static void test_failed_add_is_deleted(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char cache[PATH_MAX + 128];
	char *log;

	conflist(f, "net2", "[{'type':'first'},{'type':'broken'},{'type':'second'}]");
	assert_true(net_attach(&f->ctx, "net2", "c3", "/ns", &ETH0, &ep, &err) < 0);
	assert_non_null(strstr(err.msg, "CNI plugin broken ADD: no way: really"));
	log = slurp(f, "log");
	/* What ran is deleted, all of the list, last first; the plugin after
	 * the failed one never added anything. */
	assert_null(strstr(log, "second ADD"));
	assert_non_null(strstr(log, "first DEL c3"));
	assert_true(strstr(log, "broken DEL") < strstr(log, "first DEL"));
	free(log);
	snprintf(cache, sizeof(cache), "%s/c3", f->cache);
	assert_int_equal(access(cache, F_OK), -1);
}

/* portmap with no port to publish: not run at ADD, nor at DEL (the cache
 * keeps the list as ADD ran it); with ports it runs both. */
static void test_portmap_only_with_ports(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char *log;

	fake_plugin(f, "portmap", RESULT, false);
	conflist(f, "netp", "[{'type':'first'},"
			    "{'type':'portmap','capabilities':{'portMappings':true}},"
			    "{'type':'second'}]");
	assert_int_equal(net_attach(&f->ctx, "netp", "c8", "/ns", &ETH0, &ep, &err), 0);
	assert_int_equal(net_detach_all(&f->ctx, "c8", &err), 0);
	log = slurp(f, "log");
	assert_non_null(strstr(log, "first ADD c8"));
	assert_non_null(strstr(log, "second ADD c8"));
	assert_non_null(strstr(log, "second DEL c8"));
	assert_non_null(strstr(log, "first DEL c8"));
	assert_null(strstr(log, "portmap"));
	free(log);

	assert_int_equal(net_attach(&f->ctx, "netp", "c9", "/ns", &WITH_PORTS, &ep, &err), 0);
	assert_int_equal(net_detach_all(&f->ctx, "c9", &err), 0);
	log = slurp(f, "log");
	assert_non_null(strstr(log, "portmap ADD c9"));
	assert_non_null(strstr(log, "portmap DEL c9"));
	free(log);
}

static void test_unknown_network_and_plugin(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };

	assert_int_equal(net_attach(&f->ctx, "nope", "c4", "/ns", &ETH0, &ep, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "network nope not found");
	assert_int_equal(err.kind, BERR_NOT_FOUND);
	assert_int_equal(net_attach(&f->ctx, "../x", "c4", "/ns", &ETH0, &ep, &err),
			 -EINVAL);
	conflist(f, "net3", "[{'type':'missing'}]");
	assert_true(net_attach(&f->ctx, "net3", "c4", "/ns", &ETH0, &ep, &err) < 0);
	assert_non_null(strstr(err.msg, "CNI plugin \"missing\" not found"));
}

static void test_fixed_address(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char *in1, *in2;

	conflist(f, "net4", "[{'type':'first','capabilities':{'ips':true}},{'type':'second'}]");
	assert_int_equal(net_attach(&f->ctx, "net4", "c5", "/ns", 
				    &(struct net_request){ .ifname = "eth0", .ip = "10.1.2.9/24" }, &ep, &err),
			 0);
	in1 = slurp(f, "first.ADD.in");
	assert_non_null(strstr(in1, "\"runtimeConfig\":{\"ips\":[\"10.1.2.9/24\"]}"));
	in2 = slurp(f, "second.ADD.in");
	assert_null(strstr(in2, "runtimeConfig"));
	free(in1);
	free(in2);
	/* DEL gets it again, from the cache. */
	assert_int_equal(net_detach_all(&f->ctx, "c5", &err), 0);
	in1 = slurp(f, "first.DEL.in");
	assert_non_null(strstr(in1, "\"ips\":[\"10.1.2.9/24\"]"));
	free(in1);
}

static void test_secondary_and_mac(void **state)
{
	struct fixture *f = *state;
	struct net_endpoint ep;
	struct berr err = { 0 };
	char *in;

	conflist(f, "net5", "[{'type':'first','capabilities':{'mac':true},"
			    "'ipam':{'type':'x','routes':[{'dst':'0.0.0.0/0'},{'dst':'10.9.0.0/16'}]}},"
			    "{'type':'second'}]");
	/* A second network of the container: its default route stays the
	 * first network's; other routes and the MAC asked for go through. */
	assert_int_equal(net_attach(&f->ctx, "net5", "c6", "/ns",
				    &(struct net_request){ .ifname = "eth0", .secondary = true,
							   .mac = "02:42:ac:11:00:09" },
				    &ep, &err),
			 0);
	in = slurp(f, "first.ADD.in");
	assert_null(strstr(in, "0.0.0.0/0"));
	assert_non_null(strstr(in, "\"routes\":[{\"dst\":\"10.9.0.0/16\"}]"));
	assert_non_null(strstr(in, "\"runtimeConfig\":{\"mac\":\"02:42:ac:11:00:09\"}"));
	free(in);
	in = slurp(f, "second.ADD.in");
	assert_null(strstr(in, "runtimeConfig"));
	free(in);
	/* DEL of that network alone gets the same config, from the cache. */
	assert_int_equal(net_detach(&f->ctx, "c6", "net5", &err), 0);
	in = slurp(f, "first.DEL.in");
	assert_null(strstr(in, "0.0.0.0/0"));
	assert_non_null(strstr(in, "\"mac\":\"02:42:ac:11:00:09\""));
	free(in);
	assert_int_equal(net_detach(&f->ctx, "c6", "net5", &err), 0);
	/* A list without a plugin that takes a MAC: refused, nothing run. */
	conflist(f, "net6", "[{'type':'first'}]");
	assert_int_equal(net_attach(&f->ctx, "net6", "c7", "/ns",
				    &(struct net_request){ .ifname = "eth0",
							   .mac = "02:42:ac:11:00:09" },
				    &ep, &err),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "network net6 takes no MAC address"));
}

/* The list berthd writes: the bridge plugin without ipMasq and no
 * firewall plugin (the network's rules are berthd's own), read back as a
 * list that needs no migration; one of an older berthd is told apart. */
static void test_bridge_list_without_per_container_rules(void **state)
{
	struct fixture *f = *state;
	struct net_info info;
	struct berr err = { 0 };
	char *text;

	assert_int_equal(net_bridge_write(&f->ctx,
					  &(struct net_bridge_def){ .name = "nb", .id = "abc",
								    .device = "br-abc",
								    .subnet = "10.9.0.0/24",
								    .gateway = "10.9.0.1",
								    .ipam_dir = "/ipam",
								    .created = "" },
					  &err),
			 0);
	text = slurp(f, "conf/nb.conflist");
	assert_non_null(strstr(text, "\"ipMasq\": false"));
	assert_null(strstr(text, "\"ipMasq\": true"));
	assert_null(strstr(text, "firewall"));
	assert_non_null(strstr(text, "\"portmap\""));
	free(text);
	assert_int_equal(net_info_read(&f->ctx, "nb", &info, &err), 0);
	assert_false(info.per_container_rules);
	assert_string_equal(info.device, "br-abc");
	assert_string_equal(info.subnet, "10.9.0.0/24");
	net_info_free(&info);

	conflist(f, "old1", "[{'type':'bridge','bridge':'br-o1','ipMasq':true}]");
	assert_int_equal(net_info_read(&f->ctx, "old1", &info, &err), 0);
	assert_true(info.per_container_rules);
	net_info_free(&info);
	conflist(f, "old2", "[{'type':'bridge','bridge':'br-o2','ipMasq':false},"
			    "{'type':'firewall','backend':'iptables'}]");
	assert_int_equal(net_info_read(&f->ctx, "old2", &info, &err), 0);
	assert_true(info.per_container_rules);
	net_info_free(&info);
}

static void test_subnet6(void **state)
{
	char norm[64], gw[64] = "";
	struct berr err = { 0 };

	(void)state;
	assert_int_equal(net_check_subnet6("fd12:3456:789a::5/64", norm, sizeof(norm), gw,
					   sizeof(gw), &err),
			 0);
	assert_string_equal(norm, "fd12:3456:789a::/64");
	assert_string_equal(gw, "fd12:3456:789a::1");
	snprintf(gw, sizeof(gw), "fd12:3456:789b::1");
	assert_int_equal(net_check_subnet6("fd12:3456:789a::/64", norm, sizeof(norm), gw,
					   sizeof(gw), &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "is not a host address"));
	gw[0] = '\0';
	assert_int_equal(net_check_subnet6("fd12::/16", norm, sizeof(norm), gw, sizeof(gw), &err),
			 -EINVAL);
	assert_int_equal(net_check_subnet6("10.0.0.0/8", norm, sizeof(norm), gw, sizeof(gw), &err),
			 -EINVAL);
	assert_true(net_subnets6_overlap("fd12:3456:789a::/64", "fd12:3456:789a:0:1::/80"));
	assert_false(net_subnets6_overlap("fd12:3456:789a::/64", "fd12:3456:789b::/64"));
	assert_false(net_subnets6_overlap("fd12:3456:789a::/64", ""));
}

static void test_parse_bip(void **state)
{
	char subnet[64], gw[64];
	struct berr err = { 0 };

	(void)state;
	assert_int_equal(net_parse_bip("10.99.3.1/16", subnet, sizeof(subnet), gw, sizeof(gw),
				       &err),
			 0);
	assert_string_equal(subnet, "10.99.0.0/16");
	assert_string_equal(gw, "10.99.3.1");
	assert_int_equal(net_parse_bip("10.99.0.0/16", subnet, sizeof(subnet), gw, sizeof(gw),
				       &err),
			 -EINVAL);
	assert_int_equal(net_parse_bip("10.99.255.255/16", subnet, sizeof(subnet), gw,
				       sizeof(gw), &err),
			 -EINVAL);
	assert_int_equal(net_parse_bip("10.99.0.1", subnet, sizeof(subnet), gw, sizeof(gw), &err),
			 -EINVAL);
	assert_int_equal(net_parse_bip("10.99.0.1/33", subnet, sizeof(subnet), gw, sizeof(gw),
				       &err),
			 -EINVAL);
	assert_int_equal(net_parse_bip("fd00::1/64", subnet, sizeof(subnet), gw, sizeof(gw),
				       &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_runs_the_list_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_reverses_and_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_add_is_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portmap_only_with_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_network_and_plugin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secondary_and_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_list_without_per_container_rules, setup,
						teardown),
		cmocka_unit_test(test_subnet6),
		cmocka_unit_test(test_parse_bip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
