using Microsoft.AspNetCore.Builder;
using OrleansChat.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatSilo();
builder.AddSiloDashboard();

var app = builder.Build();
app.MapSiloDashboard();

await app.RunAsync();
