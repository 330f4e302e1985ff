package io.callbridge.pipedrive;

import io.callbridge.pipedrive.PipedriveModels.Activity;
import io.callbridge.pipedrive.PipedriveModels.ActivityWrite;
import io.callbridge.pipedrive.PipedriveModels.Deal;
import io.callbridge.pipedrive.PipedriveModels.Envelope;
import io.callbridge.pipedrive.PipedriveModels.NewDeal;
import io.callbridge.pipedrive.PipedriveModels.NewPerson;
import io.callbridge.pipedrive.PipedriveModels.Person;
import io.callbridge.pipedrive.PipedriveModels.SearchResult;
import io.callbridge.pipedrive.PipedriveModels.User;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The Pipedrive endpoints Callbridge uses: API v2 wherever it exists, v1 only for users (no v2 yet).
 * The token goes in the {@code x-api-token} header; the legacy {@code ?api_token=} form would leak it into
 * every log that records URLs.
 */
@RegisterRestClient(configKey = "pipedrive")
@RegisterProvider(PipedriveErrorMapper.class)
@ClientHeaderParam(name = "x-api-token", value = "{apiToken}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface PipedriveApi {

    default String apiToken() {
        return ConfigProvider.getConfig().getValue("callbridge.pipedrive-api-token", String.class);
    }

    @GET
    @Path("/api/v2/persons/search")
    Envelope<SearchResult> searchPersons(@QueryParam("term") String term, @QueryParam("fields") String fields,
            @QueryParam("exact_match") boolean exactMatch, @QueryParam("limit") int limit);

    @GET
    @Path("/api/v2/persons/{id}")
    Envelope<Person> getPerson(@PathParam("id") long id, @QueryParam("include_fields") String includeFields);

    @POST
    @Path("/api/v2/persons")
    Envelope<Person> createPerson(NewPerson person);

    @GET
    @Path("/api/v2/persons")
    Envelope<List<Person>> listPersons(@QueryParam("sort_by") String sortBy,
            @QueryParam("sort_direction") String sortDirection, @QueryParam("limit") int limit);

    @GET
    @Path("/api/v2/deals")
    Envelope<List<Deal>> listDeals(@QueryParam("person_id") long personId, @QueryParam("status") String status,
            @QueryParam("sort_by") String sortBy, @QueryParam("sort_direction") String sortDirection,
            @QueryParam("limit") int limit);

    @GET
    @Path("/api/v2/deals/{id}")
    Envelope<Deal> getDeal(@PathParam("id") long id);

    @POST
    @Path("/api/v2/deals")
    Envelope<Deal> createDeal(NewDeal deal);

    @GET
    @Path("/api/v2/activities")
    Envelope<List<Activity>> listActivities(@QueryParam("deal_id") Long dealId, @QueryParam("person_id") Long personId,
            @QueryParam("sort_by") String sortBy, @QueryParam("sort_direction") String sortDirection,
            @QueryParam("limit") int limit);

    @POST
    @Path("/api/v2/activities")
    Envelope<Activity> createActivity(ActivityWrite activity);

    @PATCH
    @Path("/api/v2/activities/{id}")
    Envelope<Activity> updateActivity(@PathParam("id") long id, ActivityWrite activity);

    @GET
    @Path("/v1/users")
    Envelope<List<User>> users();
}
