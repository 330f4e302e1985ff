package io.callbridge.pipedrive;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** The shapes of the Pipedrive API v2 (and the few v1 endpoints still supported) that Callbridge reads and writes. */
public final class PipedriveModels {
    private PipedriveModels() {
    }

    /** The response envelope: {@code {"success": true, "data": ..., "additional_data": ...}}. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Envelope<T>(boolean success, T data, @JsonProperty("additional_data") AdditionalData additionalData) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record AdditionalData(@JsonProperty("next_cursor") String nextCursor) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SearchResult(List<SearchHit> items) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SearchHit(@JsonProperty("result_score") Double resultScore, PersonHit item) {
    }

    /** A person as the search returns it: phones are plain strings there. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PersonHit(Long id, String type, String name, List<String> phones) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Person(Long id, String name, List<ContactValue> phones,
            @JsonProperty("is_deleted") Boolean isDeleted,
            @JsonProperty("open_deals_count") Integer openDealsCount) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContactValue(String value, Boolean primary, String label) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Deal(Long id, String title, @JsonProperty("person_id") Long personId, String status,
            @JsonProperty("add_time") String addTime, @JsonProperty("update_time") String updateTime,
            @JsonProperty("is_deleted") Boolean isDeleted, @JsonProperty("is_archived") Boolean isArchived) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Activity(Long id, String subject, String type, @JsonProperty("owner_id") Long ownerId,
            @JsonProperty("deal_id") Long dealId, @JsonProperty("person_id") Long personId, String note,
            Boolean done, @JsonProperty("is_deleted") Boolean isDeleted) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record User(Long id, String name, String email, @JsonProperty("active_flag") Boolean activeFlag,
            @JsonProperty("is_deleted") Boolean isDeleted, @JsonProperty("is_you") Boolean isYou) {
        public boolean usable() {
            return id != null && !Boolean.FALSE.equals(activeFlag) && !Boolean.TRUE.equals(isDeleted);
        }
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NewPerson(String name, List<ContactValue> phones, @JsonProperty("owner_id") Long ownerId) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NewDeal(String title, @JsonProperty("person_id") Long personId, @JsonProperty("owner_id") Long ownerId,
            @JsonProperty("pipeline_id") Long pipelineId, @JsonProperty("stage_id") Long stageId) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Participant(@JsonProperty("person_id") long personId, boolean primary) {
    }

    /**
     * A call activity for {@code POST /api/v2/activities} (and the same fields for PATCH). Never
     * {@code person_id} (a 400 in v2: the person is the primary participant) nor {@code user_id} (v1's name of
     * {@code owner_id}, silently dropped by v2).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActivityWrite(String subject, String type, @JsonProperty("owner_id") Long ownerId,
            @JsonProperty("deal_id") Long dealId, List<Participant> participants,
            @JsonProperty("due_date") String dueDate, @JsonProperty("due_time") String dueTime, String duration,
            Boolean done, String note) {
    }
}
