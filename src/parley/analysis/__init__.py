"""Pure computation: assessment, similarity, outlook, time series and QCA."""
