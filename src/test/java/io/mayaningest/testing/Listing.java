package io.mayaningest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A list endpoint's behaviour, as mayan-api.md §2 describes it: {@code filter_*} search, {@code _ordering}
 * and page-number pagination with absolute {@code next}/{@code previous} links.
 *
 * @param <T> the model
 */
final class Listing<T> {

    static final int DEFAULT_PAGE_SIZE = 10;
    static final int MAX_PAGE_SIZE = 100;

    private final ToLongFunction<T> id;
    private final Comparator<T> defaultOrder;
    private final Map<String, Comparator<T>> orderings = new LinkedHashMap<>();
    private final Map<String, Function<T, Collection<?>>> searchFields = new LinkedHashMap<>();

    /**
     * @param id           the primary key, always an allowed ordering and the tie-breaker
     * @param defaultOrder the model's {@code Meta.ordering}, used when {@code _ordering} gives no valid term
     */
    Listing(ToLongFunction<T> id, Comparator<T> defaultOrder) {
        this.id = id;
        this.defaultOrder = defaultOrder;
        orderings.put("id", Comparator.comparingLong(id));
        orderings.put("pk", Comparator.comparingLong(id));
    }

    /** Allows {@code _ordering=name} and {@code -name}. */
    Listing<T> orderBy(String name, Comparator<T> comparator) {
        orderings.put(name, comparator);
        return this;
    }

    /** Allows {@code filter_name=...}; the function gives the values the search backend indexed. */
    Listing<T> search(String name, Function<T, Collection<?>> values) {
        searchFields.put(name, values);
        return this;
    }

    /** Case-insensitive, null-safe text comparator for {@code label}-like fields. */
    static <T> Comparator<T> text(Function<T, String> field) {
        return Comparator.comparing(field, Comparator.nullsFirst(Comparator.<String>naturalOrder()));
    }

    /** Filters, orders, paginates and serializes {@code items}; throws 404 "Invalid page." like DRF. */
    ObjectNode page(ApiRequest request, Collection<T> items, Function<T, JsonNode> serializer) {
        List<T> rows = new ArrayList<>(filter(request, items));
        rows.sort(ordering(request).thenComparingLong(id));

        int pageSize = pageSize(request.param("page_size"));
        int pages = Math.max(1, (rows.size() + pageSize - 1) / pageSize);
        int page = pageNumber(request.param("page"), pages);

        ObjectNode body = ApiRequest.JSON.createObjectNode();
        body.put("count", rows.size());
        String url = request.absoluteUri();
        if (page < pages) {
            body.put("next", replaceQueryParam(url, "page", Integer.toString(page + 1)));
        } else {
            body.putNull("next");
        }
        if (page > 1) {
            // DRF drops the parameter for page 1 instead of writing page=1.
            body.put("previous", page == 2 ? replaceQueryParam(url, "page", null)
                    : replaceQueryParam(url, "page", Integer.toString(page - 1)));
        } else {
            body.putNull("previous");
        }
        ArrayNode results = body.putArray("results");
        rows.subList(Math.min(rows.size(), (page - 1) * pageSize), Math.min(rows.size(), page * pageSize))
                .forEach(row -> results.add(serializer.apply(row)));
        return body;
    }

    /**
     * {@code filter_<field>} is a search, not an equality test (§2): a case-insensitive "contains" here,
     * several filters OR-ed unless {@code filter__match_all} is true; {@code filter_q} searches every field.
     * Unknown fields are ignored.
     */
    private Collection<T> filter(ApiRequest request, Collection<T> items) {
        Map<String, String> terms = new LinkedHashMap<>();
        boolean matchAll = false;
        for (String key : request.query.keySet()) {
            if (!key.startsWith("filter_")) {
                continue;
            }
            String field = key.substring("filter_".length());
            String value = request.param(key);
            if (field.equals("_match_all")) {
                matchAll = List.of("true", "yes", "on", "1").contains(value.toLowerCase(Locale.ROOT));
            } else if (field.equals("q") || searchFields.containsKey(field)) {
                terms.put(field, value.toLowerCase(Locale.ROOT));
            }
        }
        if (terms.isEmpty()) {
            return items;
        }
        boolean all = matchAll;
        return items.stream().filter(item -> {
            for (Map.Entry<String, String> term : terms.entrySet()) {
                boolean hit = term.getKey().equals("q")
                        ? searchFields.values().stream().anyMatch(f -> contains(f.apply(item), term.getValue()))
                        : contains(searchFields.get(term.getKey()).apply(item), term.getValue());
                if (hit && !all) {
                    return true;
                }
                if (!hit && all) {
                    return false;
                }
            }
            return all;
        }).toList();
    }

    private static boolean contains(Collection<?> values, String needle) {
        return values.stream().anyMatch(v -> v != null && v.toString().toLowerCase(Locale.ROOT).contains(needle));
    }

    /** DRF OrderingFilter with {@code ordering_param='_ordering'}: comma-separated, invalid terms dropped. */
    private Comparator<T> ordering(ApiRequest request) {
        String param = request.param("_ordering");
        Comparator<T> result = null;
        if (param != null) {
            for (String term : param.split(",")) {
                term = term.trim();
                boolean descending = term.startsWith("-");
                Comparator<T> field = orderings.get(descending ? term.substring(1) : term);
                if (field == null) {
                    continue;
                }
                field = descending ? field.reversed() : field;
                result = result == null ? field : result.thenComparing(field);
            }
        }
        return result == null ? defaultOrder : result;
    }

    /** DRF: a missing, non-positive or non-numeric page_size falls back to the default; larger ones are capped. */
    private static int pageSize(String param) {
        if (param == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(param.trim());
            return size <= 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
        } catch (NumberFormatException e) {
            return DEFAULT_PAGE_SIZE;
        }
    }

    /** Django's Paginator.validate_number, with DRF's "last" keyword. */
    private static int pageNumber(String param, int pages) {
        if (param == null) {
            return 1;
        }
        if (param.equals("last")) {
            return pages;
        }
        try {
            int page = Integer.parseInt(param.trim());
            if (page >= 1 && page <= pages) {
                return page;
            }
        } catch (NumberFormatException ignored) {
            // falls through to "Invalid page."
        }
        throw MayanError.detail(404, "Invalid page.");
    }

    /**
     * DRF's replace_query_param / remove_query_param: the query is re-encoded with keys sorted
     * (Python's {@code urlencode(sorted(...), doseq=True)}); {@code value == null} removes the key.
     */
    static String replaceQueryParam(String url, String key, String value) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        Map<String, List<String>> params = new TreeMap<>(ApiRequest.parseQuery(q < 0 ? null : url.substring(q + 1)));
        if (value == null) {
            params.remove(key);
        } else {
            params.put(key, List.of(value));
        }
        StringBuilder query = new StringBuilder();
        params.forEach((k, values) -> values.forEach(v -> {
            query.append(query.length() == 0 ? "" : "&").append(quotePlus(k)).append('=').append(quotePlus(v));
        }));
        return query.length() == 0 ? base : base + "?" + query;
    }

    /** Python's quote_plus: like URLEncoder, except that '~' stays and '*' is escaped. */
    private static String quotePlus(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("%7E", "~").replace("*", "%2A");
    }
}
