"""The baseline: a plain DRF update of one claim row, with no lock, transition, audit or process.

Same authentication and the same row as `POST /claims/{id}/approve/`: what is left between
the two is the cost of the workflow.
"""

from rest_framework import generics, permissions, serializers

from workflows.models import Claim


class ClaimReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claim
        fields = ["id", "reason"]


class BaselineClaimUpdateView(generics.UpdateAPIView):
    queryset = Claim.objects.all()
    serializer_class = ClaimReasonSerializer
    permission_classes = [permissions.IsAuthenticated]
